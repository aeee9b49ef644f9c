"""The text-assistance endpoints of the JSON API: GET /proposals/{id}/similar and /duplicates, POST
/assist/similar, /assist/precheck and /assist/suggest. Results hold only what the caller may see; bad
input is a 4xx in the API's error format, never a 500."""

import pytest

from jianyan.proposals import workflow as proposals

TITLE = "关于加快老旧小区既有住宅加装电梯的提案"
BODY = "我市老旧小区多为六层以下住宅，没有电梯，老年居民上下楼困难。"
ADVICE = ["设立加装电梯专项补助资金，每户补助不低于5万元", "简化加装电梯审批流程，推行一窗受理"]


def write(author, title=TITLE, background=BODY, suggestions=ADVICE):
    return proposals.create_proposal(actor=author, title=title, background=background, suggestions=list(suggestions))


def error_of(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and body["error"]["message"]
    return body["error"]


@pytest.fixture
def pair(member, cosigner):
    """The member's submitted proposal and the co-signer's near-duplicate, submitted too."""
    first = proposals.submit_proposal(write(member), actor=member)
    second = proposals.submit_proposal(write(cosigner, title="关于推进老旧小区既有住宅加装电梯的建议"), actor=cosigner)
    return first, second


def test_similar_of_a_proposal_for_staff_and_its_proposer(api, pair, staff, member):
    first, second = pair
    response = api(staff).get(f"proposals/{first.pk}/similar")
    assert response.status_code == 200, response.content
    [item] = response.json()["items"]
    assert item["id"] == second.pk and item["state"] == "submitted" and item["state_label"] == "已提交"
    assert item["near_duplicate"] is True and 0.5 <= item["score"] <= 1 and item["reason"]
    assert set(item) == {"id", "title", "display_number", "session", "year", "state", "state_label", "score",
                         "reason", "near_duplicate", "result_class"}
    # the proposer sees only their own proposals among the results: not the co-signer's
    assert api(member).get(f"proposals/{first.pk}/similar").json() == {"items": []}
    assert api(staff).get(f"proposals/{first.pk}/similar", {"top": 1}).status_code == 200


def test_similar_of_a_proposal_is_403_for_others_who_see_it_and_404_for_the_rest(
        api, stage, staff, leader, liaison, cosigner, outsider):
    p = stage.assigned()
    assert api(stage.member).get(f"proposals/{p.pk}/similar").status_code == 200
    assert api(cosigner).get(f"proposals/{p.pk}/similar").status_code == 200  # an accepted co-signer
    assert error_of(api(leader).get(f"proposals/{p.pk}/similar"), 403)["code"] == "forbidden"
    error_of(api(liaison).get(f"proposals/{p.pk}/similar"), 403)
    error_of(api(outsider).get(f"proposals/{p.pk}/similar"), 404)
    error_of(api(staff).get("proposals/999999/similar"), 404)
    error_of(api(staff).get("proposals/abc/similar"), 404)
    error_of(api().get(f"proposals/{p.pk}/similar"), 401)
    error_of(api(staff).post(f"proposals/{p.pk}/similar", {}), 405)
    error_of(api(staff).get(f"proposals/{p.pk}/similar", {"top": 0}), 400)
    error_of(api(staff).get(f"proposals/{p.pk}/similar", {"top": "x"}), 400)


def test_a_members_draft_is_404_for_another_member(api, member, cosigner):
    draft = write(member)
    error_of(api(cosigner).get(f"proposals/{draft.pk}/similar"), 404)
    assert api(member).get(f"proposals/{draft.pk}/similar").status_code == 200


def test_duplicates_with_shared_passages_for_staff(api, pair, staff, member, themes):
    first, second = pair
    response = api(staff).get(f"proposals/{second.pk}/duplicates")
    assert response.status_code == 200, response.content
    [dup] = response.json()["items"]
    assert dup["id"] == first.pk and dup["may_merge_into"] is False
    assert any("设立加装电梯专项补助资金" in p["text"] for p in dup["passages"])
    for p in dup["passages"]:
        assert dup["text"][p["other_start"]:p["other_end"]] == p["text"]
    error_of(api(member).get(f"proposals/{first.pk}/duplicates"), 403)


def test_similar_to_a_typed_draft_only_returns_what_the_user_may_see(api, pair, member, cosigner, staff):
    first, second = pair
    mine = write(member, title="关于老旧小区加装电梯的提案")
    response = api(member).post("assist/similar", {"title": "关于推进老旧小区加装电梯的建议"})
    assert response.status_code == 200, response.content
    assert {i["id"] for i in response.json()["items"]} == {first.pk, mine.pk}
    response = api(staff).post("assist/similar", {"title": "关于推进老旧小区加装电梯的建议", "body": BODY, "top": 1})
    assert [i["id"] for i in response.json()["items"]] in ([first.pk], [second.pk])
    assert api(cosigner).post("assist/similar", {"title": "", "body": "老旧小区加装电梯"}).json()["items"][0][
        "id"] == second.pk


@pytest.mark.parametrize("payload, raw, field", [
    ({"title": "", "body": ""}, None, "title"),
    ({"title": "电梯", "top": "many"}, None, "top"),
    ({"title": "电梯", "top": 51}, None, "top"),
    ({"title": "电梯", "colour": "red"}, None, "colour"),
    ({"title": ["电梯"]}, None, "title"),
    ({"title": "电" * 201}, None, "title"),
    (None, "{not json", None),
    (None, "[1, 2]", None),
])
def test_malformed_similar_requests_are_400(api, member, payload, raw, field):
    response = api(member).post("assist/similar", payload, raw=raw)
    error = error_of(response, 400)
    if field:
        assert field in error.get("fields", {}), error


def test_similar_needs_a_login_and_a_committee(api, admin_user, db):
    error_of(api().post("assist/similar", {"title": "电梯"}), 401)
    assert error_of(api(admin_user).post("assist/similar", {"title": "电梯"}), 404)["code"] == "no_such_committee"


def test_precheck_returns_findings_under_the_committees_rules(api, member, committee):
    committee.body_max_chars = 60
    committee.save()
    response = api(member).post("assist/precheck", {
        "title": "关于加快老旧小区加装电梯的提案", "background": BODY * 2, "suggestions": ADVICE})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] is False and body["counts"]["error"] >= 1
    too_long = next(f for f in body["findings"] if f["code"] == "too_long")
    assert too_long["severity"] == "error" and "60 字" in too_long["message"]
    assert set(too_long["location"]) == {"part", "item", "start", "end"}
    vague = api(member).post("assist/precheck", {"title": "加强领导", "background": "重视不够。",
                                                 "suggestions": ["高度重视，加强领导"]}).json()
    assert {"R10", "title_form", "short_background"} <= {f["code"] for f in vague["findings"]}
    error_of(api(member).post("assist/precheck", {"title": "电梯", "suggestions": "设立资金"}), 400)
    error_of(api(member).post("assist/precheck", {"title": 5}), 400)
    error_of(api().post("assist/precheck", {"title": "电梯"}), 401)


def test_suggest_is_for_staff(api, staff, member, leader, committee, themes, unit_gxj, unit_kjj):
    response = api(staff).post("assist/suggest", {"text": "关于加快传统产业技术改造和数字化转型的提案"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["themes"][0]["name"] == "产业转型" and body["themes"][0]["id"] == themes[0].pk
    assert body["units"][0] == {"id": unit_gxj.pk, "name": "市工信局", "score": body["units"][0]["score"],
                                "reason": body["units"][0]["reason"]}
    assert len(body["themes"]) == 3 and len(body["units"]) == 2
    assert len(api(staff).post("assist/suggest", {"text": "电梯", "top": 1}).json()["themes"]) == 1
    error_of(api(member).post("assist/suggest", {"text": "关于传统产业的提案"}), 403)
    error_of(api(leader).post("assist/suggest", {"text": "关于传统产业的提案"}), 403)
    error_of(api(staff).post("assist/suggest", {"text": "  "}), 400)
    error_of(api(staff).post("assist/suggest", {}), 400)
    error_of(api(staff).post("assist/suggest", {"text": "电梯", "committee": "jq"}), 403)


def test_the_openapi_schema_declares_the_assist_endpoints(api, db):
    schema = api().get("openapi.json").json()
    paths = schema["paths"]
    for path, method in [("/api/v1/proposals/{id}/similar", "get"), ("/api/v1/proposals/{id}/duplicates", "get"),
                         ("/api/v1/assist/similar", "post"), ("/api/v1/assist/precheck", "post"),
                         ("/api/v1/assist/suggest", "post")]:
        operation = paths[path][method]
        assert {"200", "400", "401"} <= set(operation["responses"]), path
        assert operation["responses"]["400"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorOut"}
    components = schema["components"]["schemas"]
    assert {"SimilarIn", "SimilarList", "DuplicateList", "PrecheckIn", "PrecheckOut", "SuggestIn",
            "SuggestOut"} <= set(components)
    assert "near_duplicate" in components["SimilarOut"]["properties"]
