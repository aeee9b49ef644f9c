"""The public API: published proposals (redacted only), one proposal, the year's statistics; no login;
secret and withdrawn proposals are absent."""

import json

import pytest
from disclosure_support import PHONE, published, replied_proposal

from jianyan.disclosure import workflow
from jianyan.disclosure.redaction import MASK


@pytest.fixture
def public_set(member, staff, liaison, themes, unit_gxj):
    cast = (member, staff, liaison, themes[0], unit_gxj)
    redacted = published(*cast, background=f"加装电梯协调难，联系{PHONE}。", redactions={"body": [PHONE]})
    pension = published(*cast, title="关于完善社区养老服务的提案", background="社区养老设施不足。",
                        suggestions=["加强护理培训。"], reply_body="推动养老机构签约合作。")
    secret = replied_proposal(*cast, title="关于优化公交线网布局的提案")
    workflow.approve_publication(secret, actor=staff)
    workflow.mark_secret(secret, actor=staff)
    return {"redacted": redacted, "pension": pension, "secret": secret}


def test_the_list_needs_no_login_and_hides_secrets(client, public_set):
    r = client.get("/api/v1/public/proposals")
    assert r.status_code == 200
    data = r.json()
    assert data["total"] == 2
    assert {i["id"] for i in data["items"]} == {public_set["redacted"].pk, public_set["pension"].pk}
    text = json.dumps(data, ensure_ascii=False)
    assert "公交线网" not in text and PHONE not in text


def test_one_proposal_shows_the_redacted_body_and_reply(client, public_set):
    r = client.get(f"/api/v1/public/proposals/{public_set['redacted'].pk}")
    assert r.status_code == 200
    data = r.json()
    assert MASK in data["body"] and PHONE not in data["body"]
    assert [s["step"] for s in data["timeline"]][:3] == ["提交", "立案", "交办"]
    assert "王局长" not in json.dumps(data, ensure_ascii=False)


def test_a_secret_or_missing_proposal_is_404(client, public_set):
    secret_pub = public_set["secret"].publication
    assert client.get(f"/api/v1/public/proposals/{secret_pub.pk}").status_code == 404
    assert client.get("/api/v1/public/proposals/999999").status_code == 404
    assert client.get("/api/v1/public/proposals/abc").status_code in (400, 404, 422)


@pytest.mark.parametrize("word, key", [("养老", "pension"), ("电梯", "redacted")])
def test_search_by_q(client, public_set, word, key):
    data = client.get("/api/v1/public/proposals", {"q": word}).json()
    assert [i["id"] for i in data["items"]] == [public_set[key].pk]
    assert client.get("/api/v1/public/proposals", {"q": "公交"}).json()["total"] == 0


def test_filters_and_pagination(client, public_set, themes, unit_gxj):
    data = client.get("/api/v1/public/proposals", {"page_size": 1, "page": 2, "ordering": "id"}).json()
    assert data["total"] == 2 and [i["id"] for i in data["items"]] == [public_set["pension"].pk]
    assert client.get("/api/v1/public/proposals", {"unit": unit_gxj.pk, "result_class": "A"}).json()["total"] == 2
    assert client.get("/api/v1/public/proposals", {"theme": themes[1].pk}).json()["total"] == 0
    assert client.get("/api/v1/public/proposals", {"result_class": "Z"}).status_code == 400
    assert client.get("/api/v1/public/proposals", {"page_size": 1000}).status_code == 400


def test_public_stats(client, public_set):
    r = client.get("/api/v1/public/stats")
    assert r.status_code == 200
    data = r.json()
    assert data["published"] == 2 and data["replied"] >= 3
    assert client.get("/api/v1/public/stats", {"committee": "nope"}).status_code == 404


def test_wrong_method(client, public_set):
    assert client.post("/api/v1/public/proposals", {}).status_code == 405
