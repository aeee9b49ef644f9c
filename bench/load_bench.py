"""Load test of a session's peak: gunicorn on PostgreSQL (DEBUG off), the ceiling of the same server on
/healthz, then the Locust scenario bench/locust/peak.py at increasing users, and the table of figures.

    .venv/bin/python bench/load_bench.py [--pg postgres://postgres@127.0.0.1:5432/jianyan_load_h2load]
        [--users 50,100,200] [--duration 120] [--ramp 60] [--worker-class sync] [--workers 8] [--threads 4]
        [--saturate 10] [--no-split] [--profile]

Needs the data of bench/generate_data.py in that database, and the `load` dependency group
(`UV_PROJECT_ENVIRONMENT=.venv .venv/bin/uv sync --frozen --inexact --group load`).

Steps, each against the same gunicorn configuration started afresh (so that what one level left queued does
not weigh on the next):
1. ceiling: HealthCheck users (no think time) on /healthz, which does no work;
2. for each number of users: the peak mix with its think times (the public 3–10 s, the others 5–15 s),
   ramped up over --ramp seconds (logins happen then; measured afterwards for --duration seconds);
3. --saturate N: N users of the same mix without think time: the most the server gives on the real pages,
   to compare with the ceiling (target: at least a quarter); then (--split, the default) the mix's public
   readers alone and its logged-in roles alone, with the server's CPU (gunicorn and PostgreSQL) per request:
   what each kind of page costs, which the mix's figure blends;
4. --profile: every page once per role through Django's test client on the same database, with its query
   count and time (the slow pages' offenders).
Targets (issue 8): 0 errors, p95 ≤ 300 ms at 200 users, main pages ≥ ¼ of the ceiling.
Locust, gunicorn and PostgreSQL share the machine's cores: the figures are those of one box doing all three."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/jianyan_load_h2load"
LOCUSTFILE = ROOT / "bench" / "locust" / "peak.py"
BIN = Path(sys.executable).parent
GROUPS = ("public", "ws", "staff", "unit", "act", "login")
TARGET_P95_MS = 300


def server_env(url: str) -> dict:
    # statement_timeout: a level's slow queries must not run on into the next level after its server is stopped
    url += ("&" if "?" in url else "?") + "options=-c%20statement_timeout%3D" + os.environ.get("LOAD_STATEMENT_MS", "30000")
    return {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost", "JIANYAN_ALLOW_DEMO": "1",
            "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "600"), "PYTHONUNBUFFERED": "1"}


def start_gunicorn(args, log: Path) -> subprocess.Popen:
    cmd = [str(BIN / "gunicorn"), "jianyan.wsgi:application", "--bind", f"127.0.0.1:{args.port}",
           "--workers", str(args.workers), "--worker-class", args.worker_class, "--timeout", "120", "--graceful-timeout", "3",
           "--log-level", "warning"]
    if args.worker_class == "gthread":
        cmd += ["--threads", str(args.threads)]
    output = {"stdout": log.open("a"), "stderr": subprocess.STDOUT}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=server_env(args.pg), start_new_session=True, **output)  # noqa: S603
    request = urllib.request.Request(f"http://127.0.0.1:{args.port}/healthz", headers={"X-Forwarded-Proto": "https"})
    for _ in range(120):
        try:
            with urllib.request.urlopen(request, timeout=2) as r:  # noqa: S310 (our own local server)
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    stop(proc)
    raise SystemExit(f"gunicorn did not answer; see {log}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def warm_up(args) -> None:
    """A few requests per worker, so the first figures do not include imports and template compiling
    (cheap pages only: at 1,000,000 proposals some pages take seconds)."""
    for path in ("/healthz", "/login/", "/public/proposals/1/") * args.workers * 2:
        request = urllib.request.Request(f"http://127.0.0.1:{args.port}{path}", headers={"X-Forwarded-Proto": "https"})
        try:
            with urllib.request.urlopen(request, timeout=120):  # noqa: S310 (our own local server)
                pass
        except urllib.error.HTTPError:
            pass  # a 404 warms up as well


def busy_share(seconds: float) -> float:
    """The share of the box's CPU time that was not idle over the next `seconds` (/proc/stat, Linux)."""
    def times():
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(fields), fields[3] + fields[4]  # idle and iowait

    total0, idle0 = times()
    time.sleep(seconds)
    total1, idle1 = times()
    return 1 - (idle1 - idle0) / max(total1 - total0, 1)


def wait_until_quiet(limit: float = 60, quiet: float = 0.15) -> None:
    """Wait for the box to settle before measuring: the workers still booting (each imports Django after the
    fork) and the previous level's PostgreSQL work took CPU from the first seconds of the next measurement,
    and the ceiling moved from 843 to 1,396 req/s between runs."""
    deadline = time.monotonic() + limit
    while busy_share(1.0) > quiet and time.monotonic() < deadline:
        pass


def phase(args, log: Path, run) -> dict:
    """One measurement on a freshly started server: what a level left queued (slow requests still running)
    must not weigh on the next one."""
    proc = start_gunicorn(args, log)
    try:
        warm_up(args)
        wait_until_quiet()
        return summarise(run())
    finally:
        stop(proc)


def cpu_seconds_by_kind() -> dict[str, float]:
    """CPU seconds (user + system) used so far by the live processes of each kind, from /proc (Linux)."""
    totals: dict[str, float] = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # ended meanwhile
        fields = stat[stat.rindex(")") + 2:].split()
        kind = next((k for k in ("postgres", "gunicorn", "locust") if k in command), "other")
        totals[kind] = totals.get(kind, 0.0) + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return totals


class CpuWindow(threading.Thread):
    """Each kind's share of one core (%) over the measured window (after the ramp): where the time goes.
    A process that ended within the window is not counted (the servers live through it)."""

    def __init__(self, start_after: float, seconds: float):
        super().__init__(daemon=True)
        self.start_after, self.seconds, self.shares = start_after, seconds, {}

    def run(self):
        time.sleep(self.start_after)
        before, started = cpu_seconds_by_kind(), time.monotonic()
        time.sleep(self.seconds)
        after, elapsed = cpu_seconds_by_kind(), time.monotonic() - started
        self.shares = {k: (after[k] - before.get(k, 0.0)) / elapsed * 100 for k in after}

    def text(self) -> str:
        shares = sorted(self.shares.items(), key=lambda kv: -kv[1])
        return ", ".join(f"{k} {v:.0f} %" for k, v in shares if v >= 1) or "not measured"


def run_locust(args, users: int, seconds: int, ramp: int, classes: list[str], think: float, work: Path) -> dict:
    results = work / f"results-{users}-{'-'.join(classes)}-{think}.json"
    env = {**os.environ, "LOAD_RESULTS_FILE": str(results), "LOAD_THINK": str(think),
           "LOAD_COMMITTEES": str(args.committees)}
    spawn_rate = max(1.0, users / max(ramp, 1))
    cmd = [str(BIN / "locust"), "-f", str(LOCUSTFILE), "--headless", "--host", f"http://127.0.0.1:{args.port}",
           "-u", str(users), "-r", f"{spawn_rate:g}", "-t", f"{ramp + seconds}s", "--only-summary",
           "--stop-timeout", "10", "--loglevel", "WARNING", *classes]
    cpu = CpuWindow(ramp + 2, max(seconds - 4, 1))  # inside the measured window, clear of its edges
    cpu.start()
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603 (fixed command)
    cpu.join(5)
    if not results.exists():
        raise SystemExit(f"locust wrote no results:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    return {**json.loads(results.read_text()), "cpu": cpu.text(), "cpu_shares": cpu.shares}


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def group_of(name: str) -> str:
    return name.split(":")[0] if ":" in name else ("login" if name.startswith("login") else name)


def summarise(result: dict) -> dict:
    """Per group and per page: requests, requests/s, p50/p95/p99 (ms), failures."""
    seconds = result["seconds"]
    groups: dict[str, list[float]] = {}
    failed: dict[str, int] = {}
    for name, values in result["samples"].items():
        groups.setdefault(group_of(name), []).extend(values)
        failed[group_of(name)] = failed.get(group_of(name), 0) + result["failures"].get(name, 0)

    def row(values, failures):
        return {"n": len(values), "rps": len(values) / seconds, "p50": percentile(values, 50),
                "p95": percentile(values, 95), "p99": percentile(values, 99), "failures": failures}

    everything = [v for values in result["samples"].values() for v in values]
    pages = [v for name, values in result["samples"].items() if not name.startswith(("act:", "login"))
             and "save/submit" not in name for v in values]
    return {"seconds": seconds, "conflicts": result.get("conflicts", 0), "examples": result.get("examples", {}),
            "cpu": result.get("cpu", ""), "server_ms": server_ms_per_request(result, len(everything) / seconds),
            "all": row(everything, sum(result["failures"].values())), "pages": row(pages, 0),
            "groups": {g: row(v, failed.get(g, 0)) for g, v in groups.items()},
            "names": {n: row(v, result["failures"].get(n, 0)) for n, v in result["samples"].items()}}


def server_ms_per_request(result: dict, rps: float) -> float:
    """The server's CPU (gunicorn and PostgreSQL) per request, in ms: what a request of this mix costs."""
    shares = result.get("cpu_shares", {})
    return (shares.get("gunicorn", 0.0) + shares.get("postgres", 0.0)) * 10 / rps if rps else 0.0


def load_average() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def print_level(users: int, s: dict, think: str, load: str) -> None:
    a = s["all"]
    print(f"\n== {users} users ({think}), {s['seconds']:.0f} s measured after the ramp, load average {load}")
    print(f"   all: {a['rps']:.1f} req/s, p50/p95/p99 {a['p50']:.0f}/{a['p95']:.0f}/{a['p99']:.0f} ms, "
          f"errors {a['failures']} of {a['n']}, conflicts (409, someone else acted first) {s['conflicts']}")
    print(f"   CPU, % of one core (the box has {os.cpu_count()}00 %): {s['cpu']}")
    print(f"   {'group':8} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>6}")
    for g in sorted(s["groups"], key=lambda g: GROUPS.index(g) if g in GROUPS else 99):
        r = s["groups"][g]
        print(f"   {g:8} {r['rps']:7.1f} {r['p50']:6.0f} {r['p95']:6.0f} {r['p99']:6.0f} {r['failures']:6d}")
    for name, text in s["examples"].items():
        print(f"   error on {name}: {text}")


def print_pages(s: dict) -> None:
    print(f"   {'page':28} {'n':>6} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>6}")
    for name, r in sorted(s["names"].items(), key=lambda kv: -kv[1]["p95"]):
        print(f"   {name:28} {r['n']:6d} {r['rps']:7.1f} {r['p50']:6.0f} {r['p95']:6.0f} {r['p99']:6.0f} "
              f"{r['failures']:6d}")


def profile_pages(url: str) -> None:
    """Every page once per role through the test client: status, time and query count (the top offenders)."""
    os.environ.update({"DATABASE_URL": url, "JIANYAN_ALLOW_DEMO": "1", "DJANGO_SETTINGS_MODULE": "jianyan.settings"})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from jianyan.disclosure.models import Publication
    from jianyan.handling.models import Assignment
    from jianyan.proposals.models import Proposal

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    users = get_user_model().objects
    current = Proposal.objects.filter(committee__code="s01").order_by("-session__year", "-id")
    handling = current.filter(state="handling").first()
    lead = Assignment.objects.filter(proposal=handling, mode="lead").select_related("unit").first()
    liaison = users.filter(profile__unit=lead.unit).first().username
    publication = Publication.objects.order_by("-id").first()
    plan = [
        (None, ["/", "/public/", "/public/?page=3", "/public/?q=养老", "/public/?q=营商环境",
                f"/public/proposals/{publication.pk}/", "/public/units/", "/public/statistics/", "/healthz"]),
        (handling.created_by.username, ["/workspace/", "/workspace/?tab=all", "/workspace/?tab=drafts",
                                        f"/proposals/{handling.pk}/", "/proposals/new/", "/search/?q=养老"]),
        ("s01_staff1", ["/workspace/", "/staff/review/", "/staff/assign/", "/staff/audit/", "/dashboard/",
                        f"/proposals/{current.filter(state='submitted').first().pk}/",
                        f"/proposals/{current.filter(state='registered').first().pk}/"]),
        (liaison, ["/workspace/?tab=to_sign", "/workspace/?tab=handling", f"/proposals/{handling.pk}/"]),
    ]
    print(f"\n== pages once each through Django's test client (second visit; load average {load_average()})")
    print(f"   {'who':14} {'page':40} {'status':>6} {'ms':>7} {'queries':>7}")
    for username, paths in plan:
        client = Client(HTTP_X_FORWARDED_PROTO="https")
        if username:
            client.force_login(users.get(username=username))
        for path in paths:
            client.get(path)  # first visit: compiled templates, warm caches
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path)
                ms = (time.perf_counter() - started) * 1000
            print(f"   {username or 'anonymous':14} {path:40} {response.status_code:6d} {ms:7.1f} {len(queries):7d}")
            slow = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:1]
            if slow and float(slow[0]["time"]) > 0.05:
                print(f"   {'':14} slowest query {float(slow[0]['time']) * 1000:.0f} ms: {slow[0]['sql'][:150]}")


def split_mix(mix: list[str]) -> list[tuple[str, list[str]]]:
    """The mix's public readers and its logged-in roles, each on their own (when the mix has both)."""
    public = [c for c in mix if c == "PublicReader"]
    logged_in = [c for c in mix if c != "PublicReader"]
    return [("the public alone", public), ("the logged-in roles alone", logged_in)] if public and logged_in else []


def print_split(args, log: Path, mix: list[str], ceiling_rps: float, work: Path) -> None:
    """Why the mix gives what it gives: the same users without think time, the public's pages and the logged-in
    roles' pages each on their own, with the server's CPU per request."""
    for label, classes in split_mix(mix):
        s = phase(args, log, lambda classes=classes: run_locust(args, args.saturate, args.duration, 5, classes, 0,
                                                                 work))
        pages = s["pages"]["rps"]
        print(f"   {label} ({args.saturate} users of {','.join(classes)}): main pages {pages:.1f} req/s = "
              f"{pages / ceiling_rps:.2f} of the ceiling, p50/p95 {s['pages']['p50']:.0f}/{s['pages']['p95']:.0f} ms; "
              f"server CPU {s['server_ms']:.1f} ms a request ({s['cpu']})", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--users", default="50,100,200", help="comma-separated numbers of users")
    # 120 s: over 60-s windows the p95 at 200 users moved by 2× from run to run at the same code
    parser.add_argument("--duration", type=int, default=120, help="seconds measured at each level, after the ramp")
    parser.add_argument("--ramp", type=int, default=60,
                        help="seconds to start (and log in) the users: Argon2 costs ~0.2 s of CPU a login")
    # Sync workers, four per core: at 200 users gthread's threads queue for each worker's GIL (p95 at 200 users in
    # 60-s runs: 3 workers × 8 threads 1,459 ms, 5 × 4 602 ms, 8 × 2 432 ms; sync 5, 8 or 12: 240–817 ms in seven).
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 4)
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (gthread)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--committees", type=int, default=10, help="committees the generator made (s01...)")
    parser.add_argument("--ceiling-users", type=int, default=16)
    parser.add_argument("--ceiling-seconds", type=int, default=30)
    parser.add_argument("--classes", default="PublicReader,Member,Staff,UnitLiaison",
                        help="the Locust user classes of the mix (a subset: e.g. Staff,UnitLiaison)")
    parser.add_argument("--saturate", type=int, default=10, help="users without think time (0: skip)")
    parser.add_argument("--split", action=argparse.BooleanOptionalAction, default=True,
                        help="after the saturated mix, its public readers and its logged-in roles each alone")
    parser.add_argument("--profile", action="store_true", help="also time every page once with its query count")
    parser.add_argument("--profile-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.profile_only:
        profile_pages(args.pg)
        return 0

    levels = [int(u) for u in args.users.split(",") if u.strip()]
    work = Path(tempfile.mkdtemp(prefix="jianyan-load-"))
    log = work / "gunicorn.log"
    threads = f" × {args.threads} threads" if args.worker_class == "gthread" else ""
    print(f"gunicorn {args.worker_class}: {args.workers} workers{threads}, DEBUG off, CONN_MAX_AGE "
          f"{server_env(args.pg)['CONN_MAX_AGE']}, database {args.pg.rsplit('/', 1)[-1]}; "
          f"{os.cpu_count()} cores shared by Locust, gunicorn and PostgreSQL (and by other jobs: load average "
          f"{load_average()})", flush=True)
    verdicts = []
    ceiling = phase(args, log, lambda: run_locust(args, args.ceiling_users, args.ceiling_seconds, 2, ["HealthCheck"],
                                                  0, work))
    ceiling_rps = ceiling["all"]["rps"]
    print(f"\n== ceiling: /healthz, {args.ceiling_users} users without think time: {ceiling_rps:.0f} req/s, "
          f"p50/p95 {ceiling['all']['p50']:.0f}/{ceiling['all']['p95']:.0f} ms, errors "
          f"{ceiling['all']['failures']} (load average {load_average()})\n   CPU, % of one core: {ceiling['cpu']}; "
          f"server CPU {ceiling['server_ms']:.2f} ms a request",
          flush=True)
    mix = args.classes.split(",")
    last, failures = None, 0
    for users in levels:
        s = phase(args, log, lambda users=users: run_locust(args, users, args.duration, args.ramp, mix, 1, work))
        print_level(users, s, "think times", load_average())
        sys.stdout.flush()
        last, failures = (users, s), failures + s["all"]["failures"]
    if last:
        print(f"\n   pages at {last[0]} users, slowest p95 first:")
        print_pages(last[1])
        users, s = last
        verdicts.append((f"0 errors at every level ({failures})", failures == 0))
        verdicts.append((f"p95 ≤ {TARGET_P95_MS} ms at {users} users (all requests: {s['all']['p95']:.0f} ms)",
                         s["all"]["p95"] <= TARGET_P95_MS))
    if args.saturate:
        s = phase(args, log, lambda: run_locust(args, args.saturate, args.duration, 5, mix, 0, work))
        print_level(args.saturate, s, "no think time: throughput", load_average())
        pages = s["pages"]["rps"]
        print(f"   main pages (every GET of the mix): {pages:.1f} req/s = {pages / ceiling_rps:.2f} of the ceiling; "
              f"server CPU {s['server_ms']:.1f} ms a request")
        verdicts.append((f"main pages ≥ ¼ of the ceiling ({pages:.0f} vs {ceiling_rps:.0f} req/s)",
                         pages >= ceiling_rps / 4))
        if args.split:
            print_split(args, log, mix, ceiling_rps, work)
    errors = log.read_text(errors="replace").count("Traceback")
    print(f"\ngunicorn log {log}: {errors} tracebacks")
    print("\ntargets:")
    for text, ok in verdicts:
        print(f"   {'met    ' if ok else 'NOT met'}  {text}")
    print("   (Locust, gunicorn and PostgreSQL on the same 2 cores: the client takes CPU from the server, "
          "and the ceiling is partly the client's own limit)")
    if args.profile:
        subprocess.run([sys.executable, __file__, "--profile-only", "--pg", args.pg], cwd=ROOT,  # noqa: S603
                       check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
