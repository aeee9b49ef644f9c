"""Times the spreadsheet import of past years' proposals (default 100,000 rows) in a scratch database.

    .venv/bin/python bench/import_bench.py [N] [--sample 2000] [--xlsx]
    .venv/bin/python bench/import_bench.py [N] --pg postgres://postgres@127.0.0.1:5432/jy_exchange_bench

With --pg the database is dropped and created again (it must be a scratch one). The file is a CSV of N rows
over ten sessions (2015–2024): closed, replied, not registered, converted and merged proposals, with
member, joint and collective proposers (some names match member profiles, some do not), lead and co
units, reply classes and evaluations. --xlsx also times reading the same rows from an .xlsx file.

Figures: the dry run (read + check every row) and the import (check again + bulk write in one
transaction), in rows/s and against the target of 100,000 rows in ≤ 60 s; then a second import of the same
file (idempotent: every row skipped, nothing written). The baseline, measured in the same run, is the
row-by-row way: each of `--sample` rows driven through the workflow functions (create, submit, register,
assign, sign, reply, approve, evaluate → closed), extrapolated to N rows."""

import csv
import datetime as dt
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
PG = sys.argv[sys.argv.index("--pg") + 1] if "--pg" in sys.argv else ""
if PG:
    os.environ["DATABASE_URL"] = PG
else:
    db = Path(tempfile.mkdtemp()) / "import-bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianyan.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ["JIANYAN_VAR_DIR"] = tempfile.mkdtemp()

import django  # noqa: E402

django.setup()

from _pgdb import recreate_pg_database  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from jianyan.exchange.exporters import CATALOGUE_COLUMNS  # noqa: E402
from jianyan.exchange.importer import import_table  # noqa: E402
from jianyan.exchange.reading import read_table  # noqa: E402
from jianyan.handling import workflow as hw  # noqa: E402
from jianyan.people.models import Committee, Organisation, Profile, Role, Session, Term, Unit  # noqa: E402
from jianyan.people.setup import seed_reason_codes, seed_themes  # noqa: E402
from jianyan.proposals import workflow as pw  # noqa: E402
from jianyan.proposals.models import Proposal  # noqa: E402
from jianyan.reports.statistics import year_statistics  # noqa: E402

User = get_user_model()
YEARS = range(2015, 2025)
TARGET_SECONDS = 60.0
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文斌晓红"


def arg(name: str, default: str) -> str:
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def reference(rng: random.Random) -> dict:
    """A committee with its themes, reasons, 40 units (with liaisons), 8 organisations, 600 members, staff,
    a session for each year 2015–2024 and one for the current year (for the workflow baseline)."""
    c = Committee.objects.create(code="bench", name="基准政协", short_name="基准政协", place="基准市")
    seed_reason_codes(c)
    themes = [t.name for t in seed_themes(c)]
    units = [Unit.objects.create(committee=c, name=f"市第{i:02d}局", full_name=f"基准市第{i:02d}局") for i in range(40)]
    orgs = [Organisation.objects.create(committee=c, name=f"第{i}集体", kind=Organisation.Kind.PARTY) for i in range(8)]
    names = sorted({rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN) for _ in range(2000)})[:600]
    users = User.objects.bulk_create(User(username=f"bm{i:04d}") for i in range(len(names)))
    Profile.objects.bulk_create(Profile(user=u, committee=c, role=Role.MEMBER, display_name=n)
                                for u, n in zip(users, names, strict=True))
    staff = User.objects.create(username="bench_staff")
    Profile.objects.create(user=staff, committee=c, role=Role.STAFF, display_name="基准工作人员")
    liaisons = {}
    for u in units:
        liaisons[u.pk] = User.objects.create(username=f"bu{u.pk}")
        Profile.objects.create(user=liaisons[u.pk], committee=c, role=Role.UNIT, display_name=f"{u.name}联络员", unit=u)
    term = Term.objects.create(committee=c, number=1, start_year=2015)
    for sitting, year in enumerate(YEARS, start=1):
        Session.objects.create(term=term, sitting=sitting, year=year, plenary_start=dt.date(year, 1, 8),
                               plenary_end=dt.date(year, 1, 11), assignment_meeting_date=dt.date(year, 3, 12),
                               submission_deadline=timezone.make_aware(dt.datetime(year, 1, 11, 12)))
    now = timezone.now()
    current = Session.objects.create(term=term, sitting=len(YEARS) + 1, year=now.year, plenary_start=now.date(),
                                     plenary_end=now.date(), submission_deadline=now + dt.timedelta(days=30))
    return {"committee": c, "themes": themes, "units": units, "orgs": orgs, "names": names, "staff": staff,
            "users": users, "liaisons": liaisons, "current": current}


def history_rows(n: int, ref: dict, rng: random.Random):
    """N catalogue rows spread over the ten years, in the export's column order."""
    per_year = -(-n // len(YEARS))
    strangers = [rng.choice(SURNAMES) + "某" + str(i) for i in range(300)]
    for i in range(n):
        year, seq = YEARS[i // per_year], i % per_year
        r = rng.random()
        state = ("已办结" if r < 0.85 else "已答复" if r < 0.90 else "不予立案" if r < 0.94
                 else "转意见建议" if r < 0.97 else "已并案")
        who = rng.random()
        if who < 0.12:
            proposers, ptype = rng.choice(ref["orgs"]).name, "党派"
        elif who < 0.45:
            proposers, ptype = "、".join(rng.sample(ref["names"], rng.randint(2, 4))), "委员联名"
        else:
            proposers, ptype = rng.choice(ref["names"] if rng.random() < 0.8 else strangers), "委员个人"
        row = {"year": year, "title": f"关于第{year}-{seq}项工作的提案", "proposers": proposers, "proposer_type": ptype,
               "state": state}
        if state in ("已办结", "已答复"):
            lead, *co = rng.sample(ref["units"], rng.choice((1, 1, 2, 3)))
            replied = dt.date(year, 3, 20) + dt.timedelta(days=rng.randint(10, 120))
            row |= {"number": seq + 1, "theme": rng.choice(ref["themes"]), "lead_units": lead.name,
                    "co_units": "、".join(u.name for u in co), "replied_on": replied.isoformat(),
                    "result_class": rng.choice("AAABBC")}
            if state == "已办结":
                row["closed_on"] = (replied + dt.timedelta(days=rng.randint(5, 30))).isoformat()
                if rng.random() < 0.9:
                    row["attitude"] = rng.choice(("满意", "满意", "满意", "基本满意"))
                    row["result"] = rng.choice(("满意", "满意", "基本满意"))
        elif state == "不予立案":
            row["reason"] = rng.choice(("R1", "R2", "R3", "R5"))
        yield [row.get(key, "") for key, _label, _w in CATALOGUE_COLUMNS]


def csv_content(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([label for _k, label, _w in CATALOGUE_COLUMNS])
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_content(rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([label for _k, label, _w in CATALOGUE_COLUMNS])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workflow_baseline(sample: int, ref: dict, rng: random.Random) -> float:
    """Seconds to bring `sample` proposals to 已办结 row by row through the workflow functions."""
    staff, theme = ref["staff"], ref["committee"].themes.first()
    start = time.perf_counter()
    for i in range(sample):
        member = rng.choice(ref["users"])
        lead = rng.choice(ref["units"])
        p = pw.create_proposal(actor=member, title=f"关于基准工作第{i}项的提案", background="情况。",
                               suggestions=["建议一"], session=ref["current"])
        p = pw.submit_proposal(p, actor=member)
        p = pw.register_proposal(p, actor=staff, theme=theme)
        p = hw.assign_proposal(p, actor=staff, units=[{"unit": lead.pk, "mode": "lead"}])
        p = hw.sign_assignment(p, actor=ref["liaisons"][lead.pk])
        hw.submit_reply(p, actor=ref["liaisons"][lead.pk], result_class="A", body="已办理。", signer="局长")
        p = hw.approve_reply(p, actor=staff)
        hw.evaluate_proposal(p, actor=member, attitude="satisfied", result="satisfied")
    return time.perf_counter() - start


def server_cpu() -> float | None:
    """CPU seconds used so far by the PostgreSQL backend serving this connection, when the server runs on this
    machine and its /proc entry can be read (as root or postgres); else None."""
    if connection.vendor != "postgresql":
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            proc = Path(f"/proc/{cursor.fetchone()[0]}")
        if proc.joinpath("comm").read_text().strip() != "postgres":
            return None
        fields = proc.joinpath("stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


class Clock:
    """Wall time and CPU time, of this process and of the PostgreSQL backend: on a shared machine the wall time
    includes waiting for a core, the CPU times are what the import itself costs in Python and in the server."""

    def __enter__(self):
        self.server = server_cpu()
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu
        after = server_cpu() if self.server is not None else None
        self.server = None if after is None else after - self.server


def line(label: str, clock: Clock, rows: int) -> str:
    server = "" if clock.server is None else f", of the PostgreSQL backend {clock.server:6.2f} s"
    return (f"{label:<34} {clock.wall:8.2f} s wall  {rows / clock.wall:9,.0f} rows/s   "
            f"(CPU of this process {clock.cpu:6.2f} s{server})")


def main() -> None:
    n = int(next((a for a in sys.argv[1:] if a.isdigit()), "100000"))
    sample = int(arg("--sample", "2000"))
    if PG:
        recreate_pg_database()
        connection.close()
    call_command("migrate", verbosity=0)
    rng = random.Random(2024)
    ref = reference(rng)
    committee, staff = ref["committee"], ref["staff"]
    rows = list(history_rows(n, ref, rng))
    content = csv_content(rows)
    print(f"database: {connection.vendor}; file: {n:,} rows, CSV {len(content) / 1e6:.1f} MB; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    with Clock() as t_read:
        table = read_table(content, "history.csv")
    with Clock() as t_dry:
        outcome = import_table(read_table(content, "history.csv"), committee=committee, actor=staff, dry_run=True)
    assert outcome.ok, outcome.errors[:5]
    print(line("read CSV", t_read, n))
    print(line("dry run (read + check)", t_dry, n))

    with Clock() as clock:
        outcome = import_table(read_table(content, "history.csv"), committee=committee, actor=staff)
    t_import = clock.wall
    assert outcome.ok and outcome.imported == n, (outcome.imported, outcome.errors[:5])
    print(line("import (read + check + write)", clock, n) + f"   load average {os.getloadavg()[0]:.1f}")
    verdict = "meets" if t_import <= TARGET_SECONDS * n / 100_000 else "MISSES"
    print(f"  target: 100,000 rows in ≤ {TARGET_SECONDS:.0f} s -> {100_000 * t_import / n:.1f} s per 100,000 rows "
          f"({verdict} the target)")

    before = Proposal.objects.count()
    with Clock() as t_again:
        again = import_table(read_table(content, "history.csv"), committee=committee, actor=staff)
    assert again.imported == 0 and again.skipped == n and Proposal.objects.count() == before
    print(line("second import (all skipped)", t_again, n))
    s = year_statistics(year=2020, committee=committee)
    print(f"  statistics of 2020 after the import: received {s['received']}, registered {s['registered']}, "
          f"closed {s['closed']}, on time {s['on_time']}, satisfaction {s['satisfaction_rate']:.2%}")

    if "--xlsx" in sys.argv:
        with Clock() as t_write:
            book = xlsx_content(rows)
        with Clock() as t_xlsx:
            xlsx_table = read_table(book, "history.xlsx")
        assert xlsx_table.rows == table.rows
        print(line("write XLSX (openpyxl, for the test)", t_write, n) + f"   {len(book) / 1e6:.1f} MB")
        print(line("read XLSX (lxml, the import's reader)", t_xlsx, n))
        from openpyxl import load_workbook

        with Clock() as t_openpyxl:
            sheet = load_workbook(io.BytesIO(book), read_only=True, data_only=True).worksheets[0]
            assert sum(1 for _ in sheet.iter_rows(values_only=True)) == n + 1
        print(line("  baseline: read XLSX with openpyxl", t_openpyxl, n))

    if sample:
        with Clock() as base:
            workflow_baseline(sample, ref, rng)
        per_row = base.wall / sample
        print(line(f"baseline: workflow, {sample:,} rows", base, sample))
        print(f"  baseline extrapolated to {n:,} rows: {per_row * n:,.0f} s "
              f"({per_row * n / t_import:,.0f}× the bulk import)")


if __name__ == "__main__":
    main()
