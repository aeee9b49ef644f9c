"""Logins: Argon2, the password policy, lockout per account and per address (web and API) with an admin unlock,
the idle timeout, and the optional second factor (TOTP)."""

import datetime as dt
import importlib

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jianyan import settings as project_settings
from jianyan.core.hashers import argon2_parameters
from jianyan.core.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/login/"


def log_in(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


# ---- passwords ---------------------------------------------------------------------------------

def test_argon2_hashes_new_passwords_with_owasp_parameters(settings):
    assert project_settings.PASSWORD_HASHERS[0] == "jianyan.core.hashers.Argon2idHasher"
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS  # the tests use MD5 for speed
    encoded = make_password("a-long-enough-passphrase")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password("a-long-enough-passphrase", encoded)
    assert not check_password("a-long-enough-passphrasE", encoded)


def test_a_hash_with_djangos_heavier_defaults_is_rehashed_at_login(settings, member):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    member.password = make_password(PASSWORD, hasher="argon2")  # Django's own: m=102400, t=2, p=8
    member.save()
    assert "m=102400" in member.password
    assert log_in(Client(), "member1").status_code == 302
    member.refresh_from_db()
    assert member.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.parametrize(("value", "expected"), [
    (None, (19456, 2, 1)), ("", (19456, 2, 1)), ("65536,3,4", (65536, 3, 4)),
])
def test_argon2_parameters_come_from_the_environment(value, expected):
    assert argon2_parameters(value) == expected


@pytest.mark.parametrize("value", ["64MB", "65536,3", "8,1,4", "19456,0,1"])
def test_bad_argon2_parameters_are_refused_in_chinese(value):
    with pytest.raises(ImproperlyConfigured, match="JIANYAN_ARGON2"):
        argon2_parameters(value)


def test_an_old_hash_is_upgraded_to_argon2_at_login(settings, member):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    member.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    member.save()
    assert log_in(Client(), "member1").status_code == 302
    member.refresh_from_db()
    assert member.password.startswith("argon2$")


@pytest.mark.parametrize(("password", "message"), [
    ("abc12345", "至少要包含 10 个字符"),
    ("38291047561", "只包含数字"),
    ("password1234", "太常见"),
    ("member1234", "太相似"),
])
def test_the_password_policy_refuses_weak_passwords_in_chinese(member, password, message):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=member)
    assert any(message in m for m in refused.value.messages), refused.value.messages


def test_a_good_password_passes_the_policy(member):
    validate_password("清风-明月-2024-提案", user=member)


# ---- lockout -----------------------------------------------------------------------------------

def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(member):
    client = Client()
    for _ in range(4):
        assert log_in(client, "member1", "wrong-password").status_code == 200
    assert log_in(client, "member1", "wrong-password").status_code == 429  # the fifth failure locks
    locked = log_in(client, "member1")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "登录失败次数过多" in html and "联系系统管理员解锁" in html
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 6


def test_the_account_lock_holds_from_another_address(member):
    for _ in range(5):
        log_in(Client(), "member1", "wrong-password", REMOTE_ADDR="10.0.0.1")
    assert log_in(Client(), "member1", REMOTE_ADDR="10.0.0.2").status_code == 429


def test_one_address_trying_many_accounts_is_locked(member, cosigner):
    client = Client(REMOTE_ADDR="10.0.0.9")
    for i in range(5):
        log_in(client, f"guess{i}", "wrong-password")
    assert log_in(client, "member2").status_code == 429
    assert log_in(Client(REMOTE_ADDR="10.0.0.10"), "member2").status_code == 302  # other addresses still work


def test_an_admin_unlocks_an_account(member, admin_user):
    for _ in range(5):
        log_in(Client(), "member1", "wrong-password")
    assert log_in(Client(), "member1").status_code == 429
    admin = Client()
    admin.force_login(admin_user)
    attempts = admin.get("/admin/axes/accessattempt/")
    assert attempts.status_code == 200 and "member1" in attempts.content.decode()
    for attempt in AccessAttempt.objects.all():
        assert admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}).status_code == 302
    assert log_in(Client(), "member1").status_code == 302
    assert AuditEvent.objects.filter(action="admin.delete", actor=admin_user).exists()


def test_the_lock_ends_after_the_cool_off(member):
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False) as traveller:
        for _ in range(5):
            log_in(Client(), "member1", "wrong-password")
        assert log_in(Client(), "member1").status_code == 429
        traveller.shift(dt.timedelta(minutes=31))
        assert log_in(Client(), "member1").status_code == 302


def test_the_api_login_counts_failures_and_locks_with_a_json_answer(member):
    client = Client()
    for attempt in range(5):
        wrong = client.post("/api/v1/auth/token", {"username": "member1", "password": "wrong"},
                            content_type="application/json")
        assert wrong.status_code == (400 if attempt < 4 else 429)
    locked = client.post("/api/v1/auth/token", {"username": "member1", "password": PASSWORD},
                         content_type="application/json")
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "locked_out" and "登录失败次数过多" in locked.json()["error"]["message"]
    assert log_in(Client(), "member1").status_code == 429  # one counter for the web and the API


def test_a_success_resets_the_account_counter(member):
    client = Client()
    for _ in range(4):
        log_in(client, "member1", "wrong-password")
    assert log_in(client, "member1").status_code == 302
    client.post("/logout/")
    for _ in range(4):
        log_in(client, "member1", "wrong-password")
    assert log_in(client, "member1").status_code == 302


# ---- sessions ----------------------------------------------------------------------------------

SESSION_ENGINES = ["django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"]


@pytest.mark.parametrize("engine", SESSION_ENGINES)
def test_an_idle_session_ends_after_thirty_minutes(member, settings, engine):
    settings.SESSION_ENGINE = engine  # cached_db: with REDIS_URL (one cache for every process)
    assert project_settings.SESSION_COOKIE_AGE == 30 * 60
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False) as traveller:
        client = Client()
        assert log_in(client, "member1").status_code == 302
        traveller.shift(dt.timedelta(minutes=25))
        assert client.get("/workspace/").status_code == 200  # activity keeps the session alive
        traveller.shift(dt.timedelta(minutes=25))
        assert client.get("/workspace/").status_code == 200
        traveller.shift(dt.timedelta(minutes=31))
        response = client.get("/workspace/")
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("engine", SESSION_ENGINES)
def test_a_logged_out_session_cookie_lets_nobody_in(member, settings, engine):
    settings.SESSION_ENGINE = engine
    client = Client()
    assert log_in(client, "member1").status_code == 302
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post("/logout/")
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = stolen
    response = thief.get("/workspace/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_sessions_are_read_from_the_shared_cache_with_redis(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        assert importlib.reload(project_settings).SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    finally:
        monkeypatch.delenv("REDIS_URL")
        importlib.reload(project_settings)
    assert project_settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


# ---- the second factor -------------------------------------------------------------------------

def current_code(device: TOTPDevice, drift: int = 0) -> str:
    """The code an authenticator app shows now (drift=1: in the next 30-second step)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def lift_throttle(device: TOTPDevice) -> None:
    """django-otp refuses any code for a second after a wrong one; the tests do not wait."""
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    device.refresh_from_db()


def set_up_second_factor(client) -> TOTPDevice:
    page = client.get(reverse("core:otp_setup"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(confirmed=False)
    wrong = client.post(reverse("core:otp_setup"), {"code": "12345"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    lift_throttle(device)
    assert client.post(reverse("core:otp_setup"), {"code": current_code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


@pytest.fixture
def frozen_clock():
    """One 30-second TOTP step for the whole test, so "the same code again" is really a replay."""
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=dt.UTC), tick=False):
        yield


def test_a_confirmed_device_makes_the_code_a_second_step_after_the_password(staff, frozen_clock):
    client = Client()
    log_in(client, "staff1")
    device = set_up_second_factor(client)
    assert client.get("/workspace/").status_code == 200
    client.post("/logout/")

    assert log_in(client, "staff1").status_code == 302
    held = client.get("/workspace/")
    assert held.status_code == 302 and held["Location"].startswith(reverse("core:otp_verify"))
    assert client.get("/api/v1/me").status_code == 401  # the session cannot use the API either
    assert client.get(reverse("core:otp_setup")).status_code == 302  # nor bind another device first
    wrong = client.post(reverse("core:otp_verify"), {"code": "12345"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    lift_throttle(device)
    # The code used at set-up may not be used again (replay); the next step's code is within tolerance.
    assert client.post(reverse("core:otp_verify"), {"code": current_code(device), "next": "/workspace/"}
                       ).status_code == 200
    lift_throttle(device)
    assert client.post(reverse("core:otp_verify"), {"code": current_code(device, drift=1), "next": "/workspace/"}
                       ).status_code == 302
    assert client.get("/workspace/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.otp_verified").exists()


def test_without_a_device_the_second_factor_is_optional(member):
    client = Client()
    log_in(client, "member1")
    assert client.get("/workspace/").status_code == 200


def test_the_second_factor_can_be_made_mandatory_for_staff(settings, staff, member, frozen_clock):
    settings.JIANYAN_OTP_REQUIRED = True
    staff_client, member_client = Client(), Client()
    log_in(staff_client, "staff1")
    log_in(member_client, "member1")
    held = staff_client.get("/workspace/")
    assert held.status_code == 302 and held["Location"].startswith(reverse("core:otp_setup"))
    assert member_client.get("/workspace/").status_code == 200
    set_up_second_factor(staff_client)
    assert staff_client.get("/workspace/").status_code == 200


def test_settings_module_reads_the_mandatory_flag(monkeypatch):
    monkeypatch.setenv("JIANYAN_OTP_REQUIRED", "1")
    try:
        assert importlib.reload(project_settings).JIANYAN_OTP_REQUIRED is True
    finally:
        monkeypatch.delenv("JIANYAN_OTP_REQUIRED")
        importlib.reload(project_settings)


def test_an_account_with_a_second_factor_gets_no_token_for_a_password_alone(staff, frozen_clock):
    client = Client()
    log_in(client, "staff1")
    set_up_second_factor(client)
    response = Client().post("/api/v1/auth/token", {"username": "staff1", "password": PASSWORD},
                             content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "second_factor_required"
    assert "两步验证" in response.json()["error"]["message"]
