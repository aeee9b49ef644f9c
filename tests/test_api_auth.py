"""Logging in to the API: tokens from username and password, bearer auth, and browser sessions with CSRF."""

import pytest
from django.test import Client

from jianyan.api.models import ApiToken, hash_token
from jianyan.core.models import AuditEvent

PASSWORD = "demo-pass-2024"


def test_a_token_is_issued_for_the_right_password_and_stored_hashed(api, member):
    response = api().post("auth/token", {"username": "member1", "password": PASSWORD, "name": "手机客户端"})
    assert response.status_code == 200
    body = response.json()
    assert (body["username"], body["role"]) == ("member1", "member")
    token = body["token"]
    assert token.startswith("jy_") and len(token) > 30
    stored = ApiToken.objects.get(user=member)
    assert stored.key_hash == hash_token(token) != token
    assert stored.name == "手机客户端"
    assert stored.last_used_at is None

    client = Client(headers={"Authorization": f"Bearer {token}"})
    me = client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json() == {"username": "member1", "name": "张委员", "role": "member", "role_label": "委员",
                         "committee": {"id": member.profile.committee_id, "code": "yq", "name": "政协阳泉市委员会"},
                         "unit": None, "organisation": None}
    stored.refresh_from_db()
    assert stored.last_used_at is not None


@pytest.mark.parametrize("credentials", [
    {"username": "member1", "password": "wrong"},
    {"username": "nobody", "password": PASSWORD},
    {"username": "", "password": ""},
])
def test_wrong_credentials_are_a_400_in_chinese(api, member, credentials):
    response = api().post("auth/token", credentials)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert response.json()["error"]["message"] == "用户名或密码错误，或该账号已停用"
    assert not ApiToken.objects.exists()


def test_missing_credentials_are_a_400_naming_the_field(api, db):
    response = api().post("auth/token", {"username": "member1"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"password": "必填"}


def test_an_inactive_user_gets_no_token_and_loses_the_ones_they_had(api, member):
    client = api(member)
    assert client.get("me").status_code == 200
    member.is_active = False
    member.save()
    assert api().post("auth/token", {"username": "member1", "password": PASSWORD}).status_code == 400
    assert client.get("me").status_code == 401


def test_demo_accounts_are_refused_in_production_unless_allowed(api, member, settings):
    member.profile.is_demo = True
    member.profile.save()
    client = api(member)
    settings.DEBUG = False
    settings.JIANYAN_ALLOW_DEMO = False
    assert api().post("auth/token", {"username": "member1", "password": PASSWORD}).status_code == 400
    assert client.get("me").status_code == 401
    settings.JIANYAN_ALLOW_DEMO = True
    assert api().post("auth/token", {"username": "member1", "password": PASSWORD}).status_code == 200
    assert client.get("me").status_code == 200


def test_a_revoked_token_no_longer_works(api, member):
    client = api(member)
    assert client.get("proposals").status_code == 200
    assert client.delete("auth/token").status_code == 204
    response = client.get("proposals")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert ApiToken.objects.get(user=member).revoked_at is not None


@pytest.mark.parametrize("header", [
    "Bearer", "Bearer jy_not-a-real-token", "Token jy_abc", "Basic bWVtYmVyMTpkZW1vLXBhc3MtMjAyNA==",
    "Bearer " + "x" * 5000, "bearer  ", "",
])
def test_anything_but_a_valid_token_or_session_is_a_401(member, header):
    client = Client(headers={"Authorization": header} if header else {})
    for response in (client.get("/api/v1/proposals"),
                     client.post("/api/v1/proposals/1/actions/submit", "{}", content_type="application/json")):
        assert response.status_code == 401
        assert response.json() == {"error": {"code": "unauthenticated",
                                             "message": "请先登录（请提供有效的访问令牌或登录后再试）"}}


def test_a_browser_session_works_and_needs_csrf_for_changes(stage, member):
    proposal = stage.draft()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    assert browser.get("/api/v1/proposals").json()["total"] == 1

    url = f"/api/v1/proposals/{proposal.pk}/actions/submit"
    refused = browser.post(url, "{}", content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    assert not AuditEvent.objects.filter(proposal=proposal, action="proposal.cosign_requested").exists()

    # The docs page hands out the CSRF cookie, as any page of the site does.
    browser.get("/api/v1/docs")
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(url, "{}", content_type="application/json", headers={"X-CSRFToken": token})
    assert accepted.status_code == 200
    assert accepted.json()["state"] == "cosigning"


def test_a_bearer_token_needs_no_csrf(api, stage, member):
    proposal = stage.draft()
    client = api(member)
    client.client = Client(enforce_csrf_checks=True)
    assert client.act(proposal, "submit").status_code == 200


def test_revoking_without_a_token_is_a_400(member):
    browser = Client()
    browser.force_login(member)
    response = browser.delete("/api/v1/auth/token")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "no_token"
