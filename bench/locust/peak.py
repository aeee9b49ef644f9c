"""A session's opening weeks, for Locust: the public reads and searches, members draft and submit, staff
review (register) and assign, units sign and reply, on data made by bench/generate_data.py.

    .venv/bin/locust -f bench/locust/peak.py --host http://127.0.0.1:8000 --headless -u 100 -r 10 -t 2m
    (bench/load_bench.py runs it at increasing users and prints the table)

Accounts are the generator's (s01_m001, s01_staff1, s01_unit_gxj... password demo-pass-2024; the server
needs JIANYAN_ALLOW_DEMO=1 with DEBUG off). Each simulated user logs in once, with its own account, so
django-axes (which only counts failures) never locks anyone out; users are spread over the 10 committees.

The server runs as in production behind a TLS proxy: requests carry X-Forwarded-Proto: https (Django then
treats them as secure: no SSL redirect, and CSRF checks the Origin), and the client sends the Secure
cookies over plain HTTP to the local port.

Think times (seconds, LOAD_THINK multiplies them; LOAD_THINK=0 fires requests back to back, to measure
throughput): the public 3–10 between pages, members, staff and units 5–15. A POST that meets a proposal
another user just moved (two staff on the same queue) gets 409: counted as a conflict, not an error,
because the app answered correctly. With LOAD_RESULTS_FILE set, every response time after the ramp is
written there at the end (bench/load_bench.py computes exact percentiles from them).
Not exercised: the htmx fragments of text assistance (similar proposals while typing, review hints), file
uploads, exports and documents."""

from __future__ import annotations

import http.cookiejar
import itertools
import json
import os
import random
import re
from urllib.parse import urlparse

from locust import HttpUser, between, constant, events, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "demo-pass-2024")
COMMITTEES = int(os.environ.get("LOAD_COMMITTEES", "10"))
THINK = float(os.environ.get("LOAD_THINK", "1"))
TIMEOUT = float(os.environ.get("LOAD_TIMEOUT", "30"))  # seconds; a slower answer counts as an error
# The units of jianyan/demo/reference.py, those that lead the most topics (so have most work) first.
UNIT_CODES = ("wlj", "gxj", "kjj", "jyj", "nyncj", "fgw", "xcb", "mzj", "zxqy", "rsj", "wjw", "zjj", "swj", "sfj",
              "jtj", "slj", "xzsp", "gaj", "sthj", "scjg", "zzb", "cgj", "tyj", "ybj", "gdgs", "tyjr", "yjj", "lyj",
              "zrzy")
SEARCH_WORDS = ("养老", "公交", "电梯", "教育", "医疗", "停车", "产业", "旅游", "就业", "乡村", "营商环境", "垃圾分类",
                "新能源", "托育", "社区", "数字经济")
PROPOSAL_LINK = re.compile(r'href="/proposals/(\d+)/"')
PUBLIC_LINK = re.compile(r'href="/public/proposals/(\d+)/"')
OPTION = re.compile(r'<option value="(\d+)"')
conflicts = {"count": 0}


def think(lo: float, hi: float):
    return constant(0) if THINK == 0 else between(lo * THINK, hi * THINK)


def send_secure_cookies_over_http() -> None:
    """Send Secure cookies over the plain HTTP of the local port (TLS ends at the proxy in production).
    Patched on the class: requests copies the session's cookies into a fresh jar with the default policy
    for every request, so a policy set on the session's jar would be lost. Only this client process."""
    http.cookiejar.DefaultCookiePolicy.return_ok_secure = lambda self, cookie, request: True


send_secure_cookies_over_http()


_serials: dict[str, itertools.count] = {}


def next_account(kind: str) -> str:
    """s01_m001, s02_m001, ... s10_m001, s01_m002...: a fresh account per simulated user, spread over committees."""
    n = next(_serials.setdefault(kind, itertools.count()))
    committee = f"s{n % COMMITTEES + 1:02d}"
    i = n // COMMITTEES
    if kind == "member":
        return f"{committee}_m{i + 1:03d}"
    if kind == "staff":
        return f"{committee}_staff{i % 5 + 1}"
    return f"{committee}_unit_{UNIT_CODES[i % len(UNIT_CODES)]}"


class Browser(HttpUser):
    abstract = True

    def on_start(self):
        host = urlparse(self.host).netloc
        self.client.headers.update({"X-Forwarded-Proto": "https", "Origin": f"https://{host}",
                                    "Referer": f"https://{host}/", "Accept-Language": "zh-CN,zh;q=0.9"})

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def page(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False,
                             timeout=TIMEOUT) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} on {url}")
                return ""
            return r.text

    def post(self, url: str, data: dict, name: str) -> bool:
        data = {**data, "csrfmiddlewaretoken": self.csrf()}
        with self.client.post(url, data=data, name=name, catch_response=True, allow_redirects=False,
                              timeout=TIMEOUT) as r:
            if r.status_code == 302:
                return True
            if r.status_code == 409:  # someone else moved it first: the app said so, as it should
                conflicts["count"] += 1
                r.success()
                return False
            r.failure(f"{r.status_code} on {url}")
            return False


class Worker(Browser):
    abstract = True
    kind = ""

    def on_start(self):
        super().on_start()
        self.username = next_account(self.kind)
        self.client.get("/login/", name="login (form)", timeout=TIMEOUT)
        with self.client.post("/login/", data={"username": self.username, "password": PASSWORD,
                                               "csrfmiddlewaretoken": self.csrf()},
                              name="login", catch_response=True, allow_redirects=False, timeout=TIMEOUT) as r:
            if r.status_code != 302:
                r.failure(f"login of {self.username} failed: {r.status_code}")

    def pick(self, html: str) -> str | None:
        ids = PROPOSAL_LINK.findall(html)
        return random.choice(ids) if ids else None


class PublicReader(Browser):
    weight = 8
    wait_time = think(3, 10)

    def on_start(self):
        super().on_start()
        self.seen: list[str] = []

    @task(3)
    def browse(self):
        page = random.choice(["", "?page=2", "?page=3"])
        html = self.page(f"/public/{page}", "public: list")
        self.seen = PUBLIC_LINK.findall(html) or self.seen

    @task(3)
    def search(self):
        html = self.page(f"/public/?q={random.choice(SEARCH_WORDS)}", "public: search")
        self.seen = PUBLIC_LINK.findall(html) or self.seen

    @task(4)
    def read(self):
        if self.seen:
            self.page(f"/public/proposals/{random.choice(self.seen)}/", "public: proposal")

    @task(1)
    def home(self):
        self.page("/", "public: home")

    @task(1)
    def units(self):
        self.page("/public/units/", "public: units")

    @task(1)
    def statistics(self):
        self.page("/public/statistics/", "public: statistics")


class Member(Worker):
    weight = 6
    kind = "member"
    wait_time = think(5, 15)

    @task(3)
    def my_proposals(self):
        html = self.page(f"/workspace/?tab={random.choice(['todo', 'drafts', 'active', 'all'])}", "ws: home")
        pk = self.pick(html)
        if pk:
            self.page(f"/proposals/{pk}/", "ws: proposal")

    @task(2)
    def draft_and_submit(self):
        self.page("/proposals/new/", "ws: new proposal form")
        word = random.choice(SEARCH_WORDS)
        data = {"title": f"关于进一步做好{word}工作的提案（压测）", "contact": "",
                "background": f"压测合成数据：{word}方面群众反映的问题较多，需要统筹研究解决。" * 3,
                "suggestions": [f"建立{word}工作台账。", f"加大{word}投入。"]}
        if random.random() < 0.6:
            data["submit"] = "1"
        self.post("/proposals/new/", data, "ws: save/submit proposal")

    @task(1)
    def search(self):
        self.page(f"/search/?q={random.choice(SEARCH_WORDS)}", "ws: search")


class Staff(Worker):
    weight = 2
    kind = "staff"
    wait_time = think(5, 15)

    @task(3)
    def review(self):
        pk = self.pick(self.page("/staff/review/", "staff: review queue"))
        if not pk:
            return
        html = self.page(f"/proposals/{pk}/", "staff: proposal")
        themes = re.findall(r'name="theme".*?</select>', html, re.S)
        theme = random.choice(OPTION.findall(themes[0])) if themes else ""
        if random.random() < 0.1:
            self.post(f"/proposals/{pk}/act/return/", {"note": "请补充具体情况（压测）。"}, "act: return")
        elif theme:
            self.post(f"/proposals/{pk}/act/register/", {"theme": theme, "note": ""}, "act: register")

    @task(3)
    def assign(self):
        pk = self.pick(self.page("/staff/assign/", "staff: assign queue"))
        if not pk:
            return
        html = self.page(f"/proposals/{pk}/", "staff: proposal")
        leads = re.findall(r'name="lead".*?</select>', html, re.S)
        units = OPTION.findall(leads[0]) if leads else []
        if units:
            self.post(f"/proposals/{pk}/act/assign/", {"plan": "lead", "lead": random.choice(units), "note": ""},
                      "act: assign")

    @task(2)
    def audit(self):
        pk = self.pick(self.page("/staff/audit/", "staff: audit queue"))
        if pk:
            self.page(f"/proposals/{pk}/", "staff: proposal")
            self.post(f"/proposals/{pk}/act/approve_reply/", {"note": ""}, "act: approve reply")

    @task(1)
    def dashboard(self):
        self.page("/dashboard/", "staff: dashboard")


class UnitLiaison(Worker):
    weight = 4
    kind = "unit"
    wait_time = think(5, 15)

    @task(2)
    def sign(self):
        pk = self.pick(self.page("/workspace/?tab=to_sign", "unit: home"))
        if pk:
            self.page(f"/proposals/{pk}/", "unit: proposal")
            self.post(f"/proposals/{pk}/act/sign/", {}, "act: sign")

    @task(3)
    def reply(self):
        pk = self.pick(self.page("/workspace/?tab=handling", "unit: home"))
        if not pk:
            return
        html = self.page(f"/proposals/{pk}/", "unit: proposal")
        if "/act/reply/" in html:
            self.post(f"/proposals/{pk}/act/reply/", {
                "result_class": random.choice("ABC"), "signer": "压测签发人", "doc_no": "",
                "body": "压测合成数据：我单位高度重视，认真研究办理，现答复如下。" * 5}, "act: reply")


class HealthCheck(Browser):
    """The ceiling: the same server on a page that does no work. Name the classes to run on the command line
    (`locust ... HealthCheck`, or `... PublicReader Member Staff UnitLiaison` for the peak)."""
    wait_time = constant(0)

    @task
    def health(self):
        self.page("/healthz", "healthz")


# ---- exact percentiles per page and per group, measured after the ramp (for bench/load_bench.py) -------

samples: dict[str, list[float]] = {}
failures: dict[str, int] = {}
examples: dict[str, str] = {}  # the first error of each page
window = {"start": None}


@events.spawning_complete.add_listener
def start_measuring(user_count, **kwargs):
    import time

    samples.clear()
    failures.clear()
    window["start"] = time.monotonic()


@events.request.add_listener
def keep_sample(name, response_time, exception, **kwargs):
    if window["start"] is None:
        return
    samples.setdefault(name, []).append(response_time)
    if exception is not None:
        failures[name] = failures.get(name, 0) + 1
        examples.setdefault(name, str(exception)[:300])


@events.test_stop.add_listener
def write_results(environment, **kwargs):
    import time

    path = os.environ.get("LOAD_RESULTS_FILE")
    if not path or window["start"] is None:
        return
    elapsed = time.monotonic() - window["start"]
    with open(path, "w") as f:
        json.dump({"seconds": elapsed, "samples": samples, "failures": failures,
                   "examples": examples, "conflicts": conflicts["count"]}, f)
