"""Browser journeys in Debian's Chromium (pytest-playwright), against pytest-django's live server.

Playwright cannot download its own browsers here: it drives /usr/bin/chromium (apt-get install chromium
fonts-noto-cjk). Without it every test of this folder is skipped with that reason. Screenshots go to
var/screenshots/ (each role's main page, and every open page of a failing test under failures/)."""

import os
import re
import threading
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--lang=zh-CN"]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PASSWORD = "demo-pass-2024"
E2E_DIR = Path(__file__).resolve().parent


def in_e2e(item) -> bool:
    return E2E_DIR in Path(str(item.fspath)).resolve().parents


def pytest_collection_modifyitems(config, items):
    """Browser tests run last (the fast suite first), and are skipped when there is no Chromium."""
    items.sort(key=in_e2e)
    if os.path.exists(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"Debian's chromium is not installed at {CHROMIUM} "
                                   "(apt-get install chromium fonts-noto-cjk)")
    for item in items:
        if in_e2e(item):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwright():
    """Playwright's sync API keeps an event loop running in the test thread from the first browser test to
    the end of the session; the ORM calls made there (test data, database flushes) are still synchronous
    code, so Django's async-safety check is lifted from then on. Browser tests run last (see above)."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


class Site:
    """Logs people in, each in their own browser context, and takes screenshots."""

    def __init__(self, browser, base_url: str):
        self.browser, self.base_url = browser, base_url
        self.contexts = []
        self.pages: dict[str, Page] = {}

    def url(self, path: str) -> str:
        return self.base_url + path

    def login(self, username: str, *, width: int = 1280, height: int = 900) -> Page:
        context = self.browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                           base_url=self.base_url)
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = context.new_page()
        page.goto("/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page).to_have_url(re.compile(r"/workspace/$"))
        self.pages[f"{username}-{width}-{len(self.contexts)}"] = page
        return page

    def shot(self, page: Page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def close(self, failed: bool, test_name: str):
        if failed:
            for key, page in self.pages.items():
                try:
                    folder = SCREENSHOTS / "failures"
                    folder.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(folder / f"{test_name}-{key}.png"), full_page=True)
                except Exception:  # noqa: S112, BLE001 — a closed page has nothing to show
                    continue
        for context in self.contexts:
            context.close()


class OneCallAtATime:
    """A WSGI application that lets one request at a time into the application it wraps.

    With SQLite the test database is in memory, and the live server's request threads all use the test's one
    connection (the only way they can see its data). Two requests at once on it (a page beside an htmx or
    fetch request, which Chromium sends in parallel) break it ("bad parameter or other API misuse"): the
    session is lost and the user logged out in the middle of a journey. So each call, up to the end of its
    response, holds a lock; but only the call: a thread that keeps a connection alive for the browser, waiting
    for its next request, holds nothing (a lock per connection thread deadlocked)."""

    def __init__(self, application):
        self.application = application
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            response = self.application(environ, start_response)
            try:
                # Read the whole body inside the lock: a lazy body would reach the database after it.
                return list(response)
            finally:
                if hasattr(response, "close"):
                    response.close()  # Django's request_finished (database clean-up) runs here, still inside


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, started once the test database exists. Started before (a session fixture
    comes before the test's database, as when tests/e2e runs alone), it took settings' file database for one
    on disk and gave each request thread its own connection to the in-memory test database, whose "shared
    cache" then refused two requests at once: "database table is locked". Started after, its threads share the
    test's connection as Django means them to, one request at a time (above). On PostgreSQL every thread has
    its own connection and requests run side by side."""
    if live_server.thread.connections_override:
        httpd = live_server.thread.httpd
        httpd.set_app(OneCallAtATime(httpd.get_app()))
    return live_server


@pytest.fixture
def site(request, browser, live_server, settings):
    settings.JIANYAN_ALLOW_DEMO = True
    s = Site(browser, live_server.url)
    yield s
    call = getattr(request.node, "rep_call", None)
    s.close(failed=bool(call and call.failed), test_name=request.node.name)
