"""The live server under a browser's parallel requests, which Chromium sends (a page beside an htmx or fetch
request). With SQLite the test database is in memory and the live server's threads share the test's one
connection: two requests at once on it broke it ("bad parameter or other API misuse"), lost the session and
logged the user out in the middle of a journey; conftest.py lets one request at a time through."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROUNDS = 60
AT_ONCE = 8

# Reads beside writes (marking notifications read: an UPDATE in its own transaction), as a form post beside an
# htmx request does in a journey.
FETCH_IN_PARALLEL = """([rounds, atOnce]) => (async () => {
    const csrf = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    const ask = j => j % 2
        ? fetch("/notifications/read-all/", {method: "POST", headers: {"X-CSRFToken": csrf}})
        : fetch(j % 4 ? "/notifications/" : "/workspace/", {headers: {"HX-Request": "true"}});
    const seen = [];
    for (let i = 0; i < rounds; i++) {
        const replies = await Promise.all(Array.from({length: atOnce}, (_, j) => ask(j)));
        for (const r of replies) seen.push([r.status, new URL(r.url).pathname]);
    }
    return seen;
})()"""


def test_parallel_requests_keep_the_user_logged_in(site, member):
    page = site.login("member1")
    seen = page.evaluate(FETCH_IN_PARALLEL, [ROUNDS, AT_ONCE])
    failed = [(status, path) for status, path in seen if status != 200 or path.startswith("/login")]
    assert not failed, f"{len(failed)} of {len(seen)} parallel requests failed or were sent to the login page"
    page.goto("/workspace/")
    expect(page).to_have_url(re.compile(r"/workspace/$"))
