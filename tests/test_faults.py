"""Fault tests (issue 8): real processes killed with SIGKILL, a database that goes away under load, a full disk.

- a web process killed in the middle of a transition leaves no half-done change (SQLite and PostgreSQL);
- the database restarting under load gives a quick 503, and the site recovers without a restart (PostgreSQL,
  through a TCP relay in the test: the system's PostgreSQL server itself is never touched; in process, with
  every query failing, on both);
- a worker killed in the middle of sending notifications: after `recover_tasks` the task runs again and
  nothing is sent twice (SQLite and PostgreSQL);
- (two staff assigning one proposal at once: tests/test_concurrency.py);
- a full disk on upload (a real 64 KB tmpfs, when the tests run as root) gives a clear message and leaves no file.

The web server and the worker run as separate processes on the test database: PostgreSQL's as it is, SQLite's
in-memory one copied to a file for them and copied back afterwards (SharedDatabase)."""

import datetime as dt
import http.client
import json
import os
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from jianyan.api.models import ApiToken
from jianyan.handling import workflow as handling
from jianyan.handling.models import Assignment
from jianyan.notifications.models import Delivery, Notification, Preference
from jianyan.people.models import Role
from jianyan.proposals import workflow as proposals
from jianyan.proposals.models import Attachment, Proposal, State
from tests.conftest import make_user

ROOT = Path(__file__).resolve().parent.parent
ON_POSTGRES = connection.vendor == "postgresql"
needs_postgres = pytest.mark.skipif(not ON_POSTGRES, reason="a TCP relay in front of PostgreSQL")
STARTUP_SECONDS = 60  # a Django process starts in ~3 s; generous for a loaded CI machine


# ---- the test database, shared with other processes --------------------------------------------------

class SharedDatabase:
    """The test database as a server or worker process sees it. PostgreSQL's test database is simply named in
    DATABASE_URL; SQLite's lives in memory, so `hand_over` copies it to a file for the other process and
    `take_back` copies the file (as the killed process left it) back for the test to read."""

    def __init__(self, tmp_path: Path):
        self.file = None if ON_POSTGRES else tmp_path / "shared.sqlite3"
        self.url = postgres_url(connection.settings_dict) if ON_POSTGRES else f"sqlite:///{self.file}"

    def hand_over(self) -> None:
        if self.file:
            connection.ensure_connection()
            with sqlite3.connect(self.file) as target:
                connection.connection.backup(target)

    def take_back(self) -> None:
        if self.file:
            source = sqlite3.connect(self.file)  # opening it recovers the file as a restarted server would
            try:
                source.backup(connection.connection)
            finally:
                source.close()


def postgres_url(s: dict, *, host: str | None = None, port: int | None = None) -> str:
    auth = quote(s["USER"] or "postgres") + (":" + quote(s["PASSWORD"]) if s["PASSWORD"] else "")
    return f"postgres://{auth}@{host or s['HOST'] or '127.0.0.1'}:{port or s['PORT'] or 5432}/{quote(s['NAME'])}"


@pytest.fixture
def shared_db(tmp_path):
    return SharedDatabase(tmp_path)


# ---- processes --------------------------------------------------------------------------------------

def process_env(database_url: str, tmp_path: Path, **extra) -> dict:
    """Production-like settings (DEBUG off: no traceback page), on the given database; the test's secret key, so
    that a session made by the test is valid there."""
    return {**os.environ, "DATABASE_URL": database_url, "DEBUG": "0", "SECRET_KEY": django_settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0", "JIANYAN_VAR_DIR": str(tmp_path / "var"),
            "DJANGO_SETTINGS_MODULE": "jianyan.settings", "PYTHONUNBUFFERED": "1", **extra}


@pytest.fixture
def processes():
    """Starts processes for a test and kills what is left of them when it ends."""
    started: list[subprocess.Popen] = []

    def start(args, env, log: Path, **kw) -> subprocess.Popen:
        with log.open("w") as stderr:
            proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stderr=stderr, **kw)  # noqa: S603
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        if proc.stdout:
            proc.stdout.close()


def kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)


@pytest.fixture
def web_server(processes, tmp_path):
    """web_server(database_url, **env) -> (process, port) of tests/fault_server.py once it listens."""

    def start(database_url: str, **env):
        log = tmp_path / "server.log"
        proc = processes([str(ROOT / "tests" / "fault_server.py")], process_env(database_url, tmp_path, **env),
                         log, stdout=subprocess.PIPE, text=True)
        ready, _, _ = select.select([proc.stdout], [], [], STARTUP_SECONDS)
        line = proc.stdout.readline() if ready else ""
        assert line.startswith("PORT "), f"the server did not start: {line!r}\n{log.read_text()[-3000:]}"
        return proc, int(line.split()[1])

    return start


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def fetch(port: int, method: str, path: str, *, body=None, headers=None, timeout: float = 10):
    """(status, text, seconds) of one request on a fresh connection."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = json.dumps(body) if body is not None else None
        conn.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace"), time.monotonic() - started
    finally:
        conn.close()


# ---- 1. the web process killed in the middle of a transition ---------------------------------------------

def trail(proposal: Proposal) -> dict:
    """Everything a transition changes: the state and version, its rows, its audit events, its notifications."""
    p = Proposal.objects.get(pk=proposal.pk)
    return {
        "state": p.state, "version": p.version,
        "assignments": sorted(Assignment.objects.filter(proposal=p).values_list("pk", flat=True)),
        "events": sorted(p.events.values_list("pk", "action")),
        "notifications": Notification.objects.filter(proposal=p).count(),
    }


@pytest.mark.django_db(transaction=True)
def test_a_web_process_killed_in_the_middle_of_assigning_leaves_nothing_half_done(
        stage, staff, unit_gxj, unit_kjj, shared_db, web_server, tmp_path):
    p = stage.registered()
    token = ApiToken.issue(staff, name="故障测试")[1]
    units = [{"unit": unit_gxj.pk, "mode": "lead"}, {"unit": unit_kjj.pk, "mode": "co"}]
    before = trail(p)
    shared_db.hand_over()
    paused = tmp_path / "paused"
    server, port = web_server(shared_db.url, FAULT_PAUSE_AFTER="proposal.assigned", FAULT_PAUSE_FILE=str(paused))

    answer = {}

    def assign():
        try:
            answer["response"] = fetch(port, "POST", f"/api/v1/proposals/{p.pk}/actions/assign", body={"units": units},
                                      headers={"Authorization": f"Bearer {token}"}, timeout=60)
        except (OSError, http.client.HTTPException) as e:  # the connection dies with the server
            answer["error"] = e

    client = threading.Thread(target=assign)
    client.start()
    # The assignments, the new state and the audit event are written; the transaction is still open.
    wait_for(paused.exists, 30, "the transition to reach its audit event")
    kill(server)
    client.join(10)
    shared_db.take_back()

    assert "response" not in answer, answer
    assert trail(p) == before  # no assignment, no state change, no audit event, no notification
    # Nothing stays locked either: the same transition goes through at once, exactly once.
    handling.assign_proposal(p, actor=staff, units=units)
    after = trail(p)
    assert after["state"] == State.ASSIGNED and len(after["assignments"]) == 2
    assert [a for _, a in after["events"]].count("proposal.assigned") == 1


# ---- 2. the database restarting under load -----------------------------------------------------------

class Relay:
    """A TCP relay between the web server and PostgreSQL that plays a database restart: `cut` drops every
    connection and refuses new ones (accepts and closes them, as a database that is starting up does), and
    `restore` lets them through again."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.lock = threading.Lock()
        self.links: list[tuple[socket.socket, socket.socket]] = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            if not self.up:
                client.close()
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self.lock:
                self.links.append((client, server))
            ends = [2]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self.pump, args=(a, b, ends), daemon=True).start()

    def pump(self, source: socket.socket, target: socket.socket, ends: list[int]) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            hang_up(source, target)
            with self.lock:
                ends[0] -= 1
                if ends[0] == 0:  # both directions are done: nobody uses the sockets any more
                    source.close()
                    target.close()

    def cut(self) -> None:
        self.up = False
        with self.lock:
            links, self.links = self.links, []
        for pair in links:
            hang_up(*pair)

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


def hang_up(*socks: socket.socket) -> None:
    for s in socks:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


@pytest.fixture
def relay():
    s = connection.settings_dict
    r = Relay((s["HOST"] or "127.0.0.1", int(s["PORT"] or 5432)))
    yield r
    r.close()


def outage_answer_is_clean(status: int, text: str, seconds: float) -> bool:
    return status == 503 and "数据库暂时不可用，请稍后重试" in text and "Traceback" not in text and seconds < 5


@pytest.mark.postgres
@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_database_restart_under_load_gives_a_503_and_the_site_recovers_by_itself(staff, relay, web_server):
    token = ApiToken.issue(staff, name="故障测试")[1]
    browser = Client()
    browser.force_login(staff)
    pages = {
        # The feed reads the database on every visit (the public pages, kept whole in the cache for anonymous
        # visitors, keep answering during an outage: checked below).
        "public feed": ("/public/feed.atom", {}),
        "staff workspace": ("/workspace/", {"Cookie": f"sessionid={browser.cookies['sessionid'].value}"}),
        "JSON API": ("/api/v1/proposals", {"Authorization": f"Bearer {token}"}),
    }
    # Persistent connections (CONN_MAX_AGE), the case where a restart leaves broken connections behind.
    server, port = web_server(postgres_url(connection.settings_dict, port=relay.port), CONN_MAX_AGE="600")

    def visit_all():
        return {name: fetch(port, "GET", path, headers=headers) for name, (path, headers) in pages.items()}

    assert {name: r[0] for name, r in visit_all().items()} == dict.fromkeys(pages, 200)
    assert fetch(port, "GET", "/")[0] == 200 and fetch(port, "GET", "/public/units/")[0] == 200

    # A quick restart between two requests: the connection it broke is replaced before use, nothing fails.
    relay.cut()
    time.sleep(0.2)
    relay.restore()
    assert {name: r[0] for name, r in visit_all().items()} == dict.fromkeys(pages, 200)

    # An outage while three clients keep asking: each gets a quick 503 with the message, never a hang or a 500.
    relay.cut()
    answers: list[tuple[str, tuple]] = []

    def keep_asking(name, path, headers, until):
        while time.monotonic() < until:
            try:
                answers.append((name, fetch(port, "GET", path, headers=headers)))
            except (OSError, http.client.HTTPException) as e:
                answers.append((name, (0, repr(e), 0.0)))

    until = time.monotonic() + 2
    clients = [threading.Thread(target=keep_asking, args=(name, path, headers, until))
               for name, (path, headers) in pages.items()]
    for c in clients:
        c.start()
    for c in clients:
        c.join(30)
    cached_home, cached_units = fetch(port, "GET", "/"), fetch(port, "GET", "/public/units/")
    relay.restore()
    assert {name for name, _ in answers} == set(pages)
    bad = [(name, status, text[:300]) for name, (status, text, seconds) in answers
           if not outage_answer_is_clean(status, text, seconds)]
    assert not bad, bad
    assert cached_home[0] == 200 and "最新公开的提案" in cached_home[1]  # the public pages, from the cache
    assert cached_units[0] == 200 and "承办单位" in cached_units[1]

    # Back up: the same server answers again, from the first request on, without a restart.
    assert {name: r[0] for name, r in visit_all().items()} == dict.fromkeys(pages, 200)
    assert server.poll() is None


def database_down(execute, sql, params, many, context):
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


@pytest.mark.django_db
def test_with_the_database_down_pages_and_the_api_answer_503_with_the_message(web, staff, api):
    """The same answers in process (and on SQLite): every query fails as if the database were gone."""
    browser, anonymous, token_client = web(staff), web(), api(staff)
    for client in (browser, anonymous, token_client.client):
        client.raise_request_exception = False  # a real server answers; it does not re-raise
    ask = {"portal": lambda: anonymous.get("/"), "workspace": lambda: browser.get("/workspace/"),
           "api": lambda: token_client.get("proposals")}
    with connection.execute_wrapper(database_down):
        down = {name: get() for name, get in ask.items()}
    for name, response in down.items():
        assert response.status_code == 503, name
        assert "数据库暂时不可用，请稍后重试" in response.content.decode() and response["Retry-After"] == "30"
    assert down["api"].json()["error"]["code"] == "unavailable"
    assert {name: get().status_code for name, get in ask.items()} == dict.fromkeys(ask, 200)


@pytest.mark.django_db
def test_with_debug_on_a_page_still_answers_the_outage_with_the_503_not_a_traceback(web, settings):
    settings.DEBUG = True  # the demo's default: the middleware answers before Django's technical 500 page
    anonymous = web()
    anonymous.raise_request_exception = False
    with connection.execute_wrapper(database_down):
        response = anonymous.get("/")
    assert response.status_code == 503 and "数据库暂时不可用，请稍后重试" in response.content.decode()
    assert "Traceback" not in response.content.decode()


# ---- 3. the worker killed in the middle of sending ------------------------------------------------------

class SmsGateway:
    """An SMS gateway (the "http" backend of notifications/sms.py) that takes its time: it records each message
    as it arrives, then answers `delay` seconds later."""

    def __init__(self, delay: float):
        self.received: list[dict] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                gateway.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                time.sleep(delay)
                try:
                    self.send_response(200)
                    self.end_headers()
                except OSError:
                    pass  # the worker was killed while waiting

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    g = SmsGateway(delay=0.5)
    yield g
    g.close()


def mailed_to(mail_dir: Path) -> Counter:
    """Recipients of the e-mails the file backend wrote (one message per file)."""
    return Counter(line.split(":", 1)[1].strip() for f in mail_dir.glob("*") if f.is_file()
                   for line in f.read_text(errors="replace").splitlines() if line.startswith("To:"))


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_sending_runs_again_without_sending_twice(
        committee, member, staff, themes, shared_db, processes, gateway, tmp_path):
    cosigners = [make_user(f"member{i}", committee, Role.MEMBER, f"委员{i}") for i in range(2, 6)]
    proposers = [member, *cosigners]
    for i, user in enumerate(proposers):
        user.email, user.profile.phone = f"m{i}@example.cn", f"1380000000{i}"
        user.save(update_fields=["email"])
        user.profile.save(update_fields=["phone"])
        Preference.objects.create(user=user, email_events=["decided"], sms_events=["decided"])
    p = proposals.create_proposal(actor=member, title="关于完善社区养老服务体系的提案", background="老龄化程度加深。",
                                  suggestions=["增加社区养老服务点"], cosigners=[u.username for u in cosigners])
    p = proposals.submit_proposal(p, actor=member)
    for user in cosigners:
        p = proposals.respond_to_cosign(p, actor=user, accept=True)
    proposals.register_proposal(p, actor=staff, theme=themes[0])  # five proposers to tell, by e-mail and SMS
    task = DBTaskResult.objects.get()
    mail_dir = tmp_path / "mail"
    env = process_env(shared_db.url, tmp_path, DJANGO_SETTINGS_MODULE="fault_settings",
                      PYTHONPATH=str(ROOT / "tests"), FAULT_MAIL_DIR=str(mail_dir),
                      SMS_BACKEND="http", SMS_GATEWAY_URL=gateway.url, SMS_GATEWAY_KEY="test")
    worker_args = ["manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"]

    shared_db.hand_over()
    worker = processes(worker_args, env, tmp_path / "worker1.log")
    # Killed while the gateway holds the second SMS: it arrived, but the worker never heard back.
    wait_for(lambda: len(gateway.received) >= 2 or worker.poll() is not None, STARTUP_SECONDS, "the second SMS")
    assert worker.poll() is None, (tmp_path / "worker1.log").read_text()[-3000:]
    kill(worker)
    shared_db.take_back()
    task.refresh_from_db()
    assert task.status == "RUNNING"  # django-tasks-db leaves it so for ever: nothing would run it again

    call_command("recover_tasks", older_than=0)
    task.refresh_from_db()
    assert task.status == "READY"
    shared_db.hand_over()
    again = processes([*worker_args, "--batch"], env, tmp_path / "worker2.log")
    assert again.wait(STARTUP_SECONDS) == 0, (tmp_path / "worker2.log").read_text()[-3000:]
    shared_db.take_back()

    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    phones = [u.profile.phone for u in proposers]
    assert Counter(m["to"] for m in gateway.received) == Counter(phones)  # every SMS once, none twice
    assert mailed_to(mail_dir) == Counter(u.email for u in proposers)  # and every e-mail once
    rows = list(Delivery.objects.values_list("notification_id", "channel", "status"))
    assert len(rows) == 10 and len({(n, c) for n, c, _ in rows}) == 10
    # The SMS in flight when the worker died stays "sending" (it did arrive here, but the worker cannot know);
    # the gateway's half second makes it all but certain that the kill lands in such a wait.
    statuses = Counter(s for _, _, s in rows)
    assert statuses["sent"] + statuses["sending"] == 10 and statuses["sending"] <= 1, statuses


@pytest.mark.django_db
def test_recover_tasks_leaves_a_task_that_may_still_be_running_alone():
    from jianyan.notifications.tasks import deliver_notifications

    result = deliver_notifications.enqueue([])
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("worker-1")
    call_command("recover_tasks")  # default: only tasks started over an hour ago
    assert DBTaskResult.objects.get(pk=row.pk).status == "RUNNING"
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=row.started_at - dt.timedelta(hours=2))
    call_command("recover_tasks")
    assert DBTaskResult.objects.get(pk=row.pk).status == "READY"


# ---- 5. a full disk on upload ---------------------------------------------------------------------------

@pytest.fixture
def tiny_disk(settings, tmp_path):
    """MEDIA_ROOT on a real 64 KB tmpfs (needs root and mount; skipped otherwise)."""
    mount, umount = shutil.which("mount"), shutil.which("umount")
    if os.geteuid() != 0 or not (mount and umount):
        pytest.skip("mounting a small tmpfs needs root and mount(8)")
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    done = subprocess.run([mount, "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)],  # noqa: S603
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    settings.MEDIA_ROOT = mount_point
    yield mount_point
    subprocess.run([umount, "-l", str(mount_point)], check=False)  # noqa: S603


@pytest.mark.django_db
def test_a_full_disk_on_the_upload_form_says_so_and_keeps_nothing(web, member, uploads, tiny_disk):
    form = {"title": "关于加强社区养老服务的提案", "background": "老龄化程度加深。", "suggestions": ["增加社区养老服务点"]}
    response = web(member).post(reverse("proposals:new"), {**form, "attachments": [uploads.pdf(size=200 * 1024)]})
    assert response.status_code == 400
    assert "服务器存储空间已满，文件未能保存，本次操作未生效" in response.content.decode()
    assert not Proposal.objects.exists() and not Attachment.objects.exists()
    assert not [f for f in tiny_disk.rglob("*") if f.is_file()]  # the half-written file is gone
    # The space it took is free again: a small file fits.
    response = web(member).post(reverse("proposals:new"), {**form, "attachments": [uploads.pdf(size=8 * 1024)]})
    assert response.status_code == 302
    assert Attachment.objects.count() == 1 and len([f for f in tiny_disk.rglob("*") if f.is_file()]) == 1
