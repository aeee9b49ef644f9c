"""API tokens from the profile page: created with a name, shown once, stored hashed, revoked; and the rate
limits of the API (per token, per IP when anonymous) answering 429 with Retry-After."""

import datetime as dt
import re

import time_machine
from django.test import Client
from django.urls import reverse

from jianyan.api.models import ApiToken, hash_token
from jianyan.core.models import AuditEvent

PASSWORD = "demo-pass-2024"
TOKENS_URL = "/account/api-tokens/"


def bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def create_on_page(client, name="数据分析脚本") -> str:
    response = client.post(TOKENS_URL, {"name": name})
    assert response.status_code == 201, response.content.decode()
    return re.search(r'value="(jy_[^"]+)"', response.content.decode()).group(1)


def test_the_page_lists_the_users_tokens_and_is_linked_from_the_menu(web, member, cosigner):
    ApiToken.issue(member, name="我的脚本")
    ApiToken.issue(cosigner, name="别人的脚本")
    response = web(member).get(TOKENS_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "我的脚本" in page and "别人的脚本" not in page
    assert reverse("workspace:api_tokens") in web(member).get("/workspace/").content.decode()


def test_the_page_needs_a_login(web, db):
    response = web().get(TOKENS_URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_created_token_is_shown_once_and_stored_only_as_its_hash(web, member):
    client = web(member)
    raw = create_on_page(client)
    token = ApiToken.objects.get(user=member)
    assert token.name == "数据分析脚本"
    assert token.key_hash == hash_token(raw) and raw not in token.key_hash
    assert raw.startswith(token.prefix) and len(token.prefix) == 10 and len(raw) > 40
    assert AuditEvent.objects.filter(action="api_token.created", actor=member).exists()
    # Shown on the answer to the creation only: the list shows the prefix, never the secret.
    later = client.get(TOKENS_URL).content.decode()
    assert raw not in later and token.prefix in later


def test_a_page_token_works_on_the_api_and_records_when_it_was_last_used(web, member):
    raw = create_on_page(web(member))
    assert ApiToken.objects.get(user=member).last_used_at is None
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        assert bearer(raw).get("/api/v1/me").json()["username"] == "member1"
    assert ApiToken.objects.get(user=member).last_used_at == dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC), tick=False):
        assert bearer(raw).get("/api/v1/me").status_code == 200
    assert ApiToken.objects.get(user=member).last_used_at == dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def test_a_revoked_token_is_refused(web, member):
    client = web(member)
    raw = create_on_page(client)
    token = ApiToken.objects.get(user=member)
    assert bearer(raw).get("/api/v1/me").status_code == 200
    response = client.post(reverse("workspace:api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    refused = bearer(raw).get("/api/v1/me")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthenticated"
    assert AuditEvent.objects.filter(action="api_token.revoked", actor=member).exists()
    # Revoking twice changes nothing and says so.
    again = client.post(reverse("workspace:api_token_revoke", args=[token.pk]), follow=True)
    assert "该令牌已撤销" in again.content.decode()


def test_someone_elses_token_cannot_be_revoked_404(web, member, cosigner):
    token, raw = ApiToken.issue(cosigner, name="别人的")
    response = web(member).post(reverse("workspace:api_token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert bearer(raw).get("/api/v1/me").status_code == 200


def test_revoking_needs_post(web, member):
    token, _ = ApiToken.issue(member)
    assert web(member).get(reverse("workspace:api_token_revoke", args=[token.pk])).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_token_needs_a_name(web, member):
    response = web(member).post(TOKENS_URL, {"name": "   "})
    assert response.status_code == 400
    assert "请为令牌起一个名称" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_token_name_is_escaped(web, member):
    create_on_page(web(member), name="<script>alert(1)</script>")
    page = web(member).get(TOKENS_URL).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_api_logout_revokes_the_token_in_use(api, member):
    client = api(member)
    assert client.delete("auth/token").status_code == 204
    assert client.get("me").status_code == 401


def test_the_command_prints_a_working_token(member, capsys):
    from django.core.management import call_command

    call_command("api_token", "member1", "--name", "批处理")
    raw = capsys.readouterr().out.strip()
    assert ApiToken.objects.get(user=member, name="批处理").key_hash == hash_token(raw)
    assert bearer(raw).get("/api/v1/me").status_code == 200


# ---- rate limits ---------------------------------------------------------------------------------

def test_a_token_gets_429_with_retry_after_once_its_window_is_full(api, member, cosigner, settings):
    settings.JIANYAN_API_RATE_LIMITS = {"token": "3/60", "anonymous": "100/60"}
    client, other = api(member), api(cosigner)
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, 15, tzinfo=dt.UTC), tick=False):
        assert [client.get("me").status_code for _ in range(3)] == [200, 200, 200]
        refused = client.get("me")
        assert refused.status_code == 429
        assert refused["Retry-After"] == "45"  # the fixed window of a minute ends at 9:01:00
        assert refused.json() == {"error": {"code": "throttled", "message": "请求过于频繁，请稍后再试"}}
        assert other.get("me").status_code == 200  # counted per token
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 1, 0, tzinfo=dt.UTC), tick=False):
        assert client.get("me").status_code == 200  # a new window


def test_two_tokens_of_one_user_are_counted_apart(member, settings):
    settings.JIANYAN_API_RATE_LIMITS = {"token": "2/60", "anonymous": "100/60"}
    first, second = bearer(ApiToken.issue(member)[1]), bearer(ApiToken.issue(member)[1])
    assert [first.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 429]
    assert second.get("/api/v1/me").status_code == 200


def test_anonymous_calls_are_counted_per_ip(member, settings):
    settings.JIANYAN_API_RATE_LIMITS = {"token": "100/60", "anonymous": "2/60"}
    here, there = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")

    def login(client):
        return client.post("/api/v1/auth/token", {"username": "member1", "password": PASSWORD},
                           content_type="application/json").status_code

    assert [login(here), login(here), login(here)] == [200, 200, 429]
    assert here.post("/api/v1/auth/token", {}, content_type="application/json")["Retry-After"].isdigit()
    assert login(there) == 200


def test_a_browser_session_is_counted_per_user(web, member, settings):
    settings.JIANYAN_API_RATE_LIMITS = {"token": "2/60", "anonymous": "100/60"}
    client = web(member)
    assert [client.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 429]


def test_the_429_is_declared_in_the_schema(api, db):
    schema = api().get("openapi.json").json()
    me = schema["paths"]["/api/v1/me"]["get"]["responses"]
    assert "429" in me and me["429"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
