"""Secure headers on pages and API answers, no inline script anywhere, CSRF on forms, and the production
settings (HSTS, secure cookies) that `check --deploy` wants."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
PAGE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def csp_of(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in policy.split(";")) if d}


def assert_secure_headers(response):
    for name, value in PAGE_HEADERS.items():
        assert response.get(name) == value, name
    csp = csp_of(response)
    assert csp["script-src"] == ["'self'"]  # no inline script, no eval, no other origin
    assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["style-src"]


def test_pages_send_the_secure_headers(web, member):
    for response in (web().get("/"), web().get("/login/"), web(member).get("/workspace/")):
        assert response.status_code == 200
        assert_secure_headers(response)


def test_api_answers_send_the_secure_headers(api, member):
    assert_secure_headers(api(member).get("me"))
    assert_secure_headers(api().get("proposals"))  # a 401 too


def test_the_api_docs_page_works_under_the_policy(web):
    response = web().get("/api/v1/docs")
    assert response.status_code == 200
    assert_secure_headers(response)
    html = response.content.decode()
    assert not inline_scripts(html), "the Swagger page would need a nonce"


SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
HANDLER = re.compile(r"""<[^>]*\s(on[a-z]+|hx-on[:\w-]*)\s*=""", re.I)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def inline_scripts(html: str) -> list[str]:
    """Script elements with code in them (JSON data blocks are not code and are allowed)."""
    found = []
    for attrs, body in SCRIPT.findall(html):
        if "src=" in attrs or re.search(r"""type=["']application/(ld\+)?json["']""", attrs):
            continue
        if body.strip():
            found.append(body.strip()[:80])
    return found


def templates():
    return sorted(p for p in (ROOT / "jianyan").rglob("templates/**/*.html"))


def test_no_template_has_an_inline_script_or_handler():
    offenders = []
    for path in templates():
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.relative_to(ROOT)}: <script>{s}" for s in inline_scripts(text)]
        offenders += [f"{path.relative_to(ROOT)}: {m.group(1)}=" for m in HANDLER.finditer(text)]
        offenders += [f"{path.relative_to(ROOT)}: javascript: URL" for _ in JS_URL.finditer(text)]
    assert templates() and not offenders, "\n".join(offenders)


def test_htmx_is_told_not_to_inject_its_inline_style():
    base = (ROOT / "jianyan/templates/base.html").read_text(encoding="utf-8")
    config = re.search(r"""<meta name="htmx-config" content='([^']*)'""", base)
    assert config and json.loads(config.group(1))["includeIndicatorStyles"] is False
    css = (ROOT / "jianyan/static/css/jianyan.css").read_text(encoding="utf-8")
    assert ".htmx-indicator" in css and ".htmx-request" in css


def test_forms_need_the_csrf_token(member):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    refused = browser.post("/preferences/font-size/", {"size": "large"})
    page = browser.get("/workspace/")
    token = page.cookies.get("csrftoken") or browser.cookies.get("csrftoken")
    assert refused.status_code == 403
    assert token is not None


def test_every_post_form_carries_the_csrf_token():
    missing = []
    for path in templates():
        text = path.read_text(encoding="utf-8")
        for form in re.finditer(r"<form\b[^>]*method=[\"']post[\"'][^>]*>(.*?)</form>", text, re.S | re.I):
            if "csrf_token" not in form.group(1):
                missing.append(str(path.relative_to(ROOT)))
    assert not missing, missing


def test_session_cookie_is_http_only_and_sessions_expire():
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_AGE <= 30 * 60
    assert "jianyan.core.security.IdleSessionMiddleware" in settings.MIDDLEWARE


def test_production_settings_turn_on_hsts_and_secure_cookies(tmp_path):
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "x" * 60 + "-production-like-secret-for-the-test",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}", "ALLOWED_HOSTS": "jianyan.example.cn"}
    code = ("import json, django; django.setup(); from django.conf import settings as s; "
            "print(json.dumps([s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_HTTPONLY, s.DEBUG]))")
    env["DJANGO_SETTINGS_MODULE"] = "jianyan.settings"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,  # noqa: S603 (our interpreter, our code)
                         capture_output=True, text=True, timeout=60, check=True)
    hsts, session_secure, csrf_secure, ssl_redirect, http_only, debug = json.loads(out.stdout.strip().splitlines()[-1])
    assert hsts >= 31536000 and session_secure and csrf_secure and ssl_redirect and http_only and not debug
