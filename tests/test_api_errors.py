"""Whatever arrives, the API answers with a JSON error in Chinese and a 4xx: never a 500, never HTML."""

import pytest

# Which role may run each action and the state it needs: malformed bodies must reach body validation.
ACTORS = {
    "submit": ("draft", "member"), "cosign": ("cosigning", "cosigner"),
    "return": ("submitted", "staff"), "register": ("submitted", "staff"), "reject": ("submitted", "staff"),
    "convert": ("submitted", "staff"), "merge": ("submitted", "staff"), "assign": ("registered", "staff"),
    "sign": ("assigned", "liaison"), "request_return": ("assigned", "liaison"),
    "decide_return": ("return_requested", "staff"), "consult": ("handling", "liaison"),
    "co_opinion": ("handling", "liaison2"), "reply": ("handling", "liaison"),
    "approve_reply": ("reply_audit", "staff"), "send_back_reply": ("reply_audit", "staff"),
    "evaluate": ("replied", "member"), "close": ("replied", "staff"), "rate_quality": ("handling", "liaison"),
}
MALFORMED_BODIES = [
    b'{"note": "unterminated',
    b"[1, 2, 3]",
    b'"just a string"',
    b"null",
    b"42",
    b"\xff\xfe\x00garbage",
    b"[" * 50000 + b"]" * 50000,
    b'{"x": 1' + b"0" * 5000 + b"}",
    b'{"accept": NaN, "note": Infinity}',
]


def assert_json_error(response, status=None):
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] and body["error"]["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["error"]["message"]), body  # a Chinese message
    if status is not None:
        assert response.status_code == status, body
    else:
        assert 400 <= response.status_code < 500, (response.status_code, body)
    return body["error"]


def test_malformed_bodies_are_400_for_every_action(api, stage, everyone):
    proposals = {}
    for action, (state, role) in ACTORS.items():
        if state not in proposals:
            proposals[state] = getattr(stage, state)()
        client = api(everyone[role])
        for raw in MALFORMED_BODIES:
            response = client.post(f"proposals/{proposals[state].pk}/actions/{action}", raw=raw)
            error = assert_json_error(response, 400)
            assert error["code"] in ("malformed", "invalid"), (action, raw[:30], error)
    # Nothing moved.
    for state, proposal in proposals.items():
        proposal.refresh_from_db()
        assert proposal.state == state


@pytest.mark.parametrize("action, body, field", [
    ("register", {}, "category"),
    ("register", {"category": "1"}, "category"),
    ("register", {"category": 10**30}, "category"),
    ("register", {"category": -1}, "category"),
    ("register", {"category": 1.5}, "category"),
    ("register", {"category": True}, "category"),
    ("register", {"category": [1]}, "category"),
    ("register", {"category": 1, "note": 12}, "note"),
    ("register", {"category": 1, "bogus": 1}, "bogus"),
    ("return", {}, "note"),
    ("return", {"note": ""}, "note"),
    ("return", {"note": "x" * 3000}, "note"),
    ("return", {"note": "含\u0000空字符"}, "note"),
    ("reject", {"reason_code": None}, "reason_code"),
    ("merge", {"into": 2**63}, "into"),
    ("merge", {"into": "第0001号"}, "into"),
    ("assign", {"units": "市工信局"}, "units"),
    ("assign", {"units": []}, "units"),
    ("assign", {"units": [{"unit": 1, "mode": "boss"}]}, "units.0.mode"),
    ("assign", {"units": [{"unit": 10**20}]}, "units.0.unit"),
    ("assign", {"units": [{"unit": 999999, "mode": "lead"}]}, "units"),
    ("assign", {"units": [{"mode": "lead"}]}, "units.0.unit"),
    ("assign", {"units": [1, 2]}, "units.0"),
    ("close", {"unresolved": "yes"}, "unresolved"),
    ("close", {"unresolved": 1}, "unresolved"),
])
def test_mistyped_or_missing_fields_are_400_naming_the_field(api, stage, staff, action, body, field):
    state = ACTORS[action][0]
    proposal = getattr(stage, state)()
    error = assert_json_error(api(staff).act(proposal, action, **body), 400)
    assert field in error["fields"], error
    proposal.refresh_from_db()
    assert proposal.state == state


@pytest.mark.parametrize("action, body, field", [
    ("consult", {"form": "carrier_pigeon", "date": "2025-01-01", "participants": "x", "outcome": "y"}, "form"),
    ("consult", {"form": "phone", "date": "2025-13-45", "participants": "x", "outcome": "y"}, "date"),
    ("consult", {"form": "phone", "date": "2999-01-01", "participants": "x", "outcome": "y"}, "date"),
    ("consult", {"form": "phone", "date": 20250101, "participants": "x", "outcome": "y"}, "date"),
    ("reply", {"result_class": "Z", "body": "x", "signer": "y"}, "result_class"),
    ("reply", {"result_class": "A", "body": ["x"], "signer": "y"}, "body"),
    ("rate_quality", {"scores": {"science": 30, "seriousness": 1, "feasibility": 1, "norm": 1, "impact": 1}},
     "scores"),
    ("rate_quality", {"scores": {"science": "20"}}, "scores.science"),
    ("rate_quality", {"scores": [20, 20]}, "scores"),
])
def test_unit_inputs_are_checked(api, stage, liaison, action, body, field):
    proposal = stage.handling()
    error = assert_json_error(api(liaison).act(proposal, action, **body), 400)
    assert field in error["fields"], error


@pytest.mark.parametrize("body, field", [
    ({"attitude": "happy", "result": "satisfied"}, "attitude"),
    ({"attitude": "satisfied"}, "result"),
    ({"attitude": "satisfied", "result": "satisfied", "comment": {"a": 1}}, "comment"),
])
def test_evaluation_values_are_checked(api, stage, member, body, field):
    error = assert_json_error(api(member).act(stage.replied(), "evaluate", **body), 400)
    assert field in error["fields"]


@pytest.mark.parametrize("raw, field", [
    (b"[]", "body"),
    (b'{"title": 123}', "title"),
    (b'{"title": ""}', "title"),
    (b'{"title": "x", "suggestions": [1, 2]}', "suggestions.0"),
    (b'{"title": "x", "suggestions": "one"}', "suggestions"),
    (b'{"title": "x", "cosigners": "member2"}', "cosigners"),
    (b'{"title": "\\u0000"}', "title"),
    (b'{"title": "x", "state": "closed"}', "state"),
    (b'{}', "title"),
    (b"", "body"),
])
def test_creating_with_bad_fields_is_400(api, member, raw, field):
    error = assert_json_error(api(member).post("proposals", raw=raw), 400)
    assert field in error["fields"], error


@pytest.mark.parametrize("raw", [b'{"title": "x"', b"\xff", b"[" * 50000])
def test_creating_with_broken_json_is_400(api, member, raw):
    error = assert_json_error(api(member).post("proposals", raw=raw), 400)
    assert error["code"] in ("malformed", "invalid")


@pytest.mark.parametrize("raw", [b'{"version": "abc"}', b'{"version": 0}', b'{"version": 1e400}', b"[1]"])
def test_patching_with_bad_fields_is_400(api, stage, member, raw):
    proposal = stage.draft()
    assert_json_error(api(member).patch(f"proposals/{proposal.pk}", raw=raw), 400)


@pytest.mark.parametrize("path", [
    "proposals/abc", "proposals/-1", "proposals/0", "proposals/99999999999999999999999999999",
    "proposals/1.5", "proposals/abc/timeline", "proposals/99999999999999999999999999/actions/sign",
    "proposals/{pk}/actions/fly", "proposals/{pk}/actions/", "proposals/{pk}/actions/SUBMIT",
    "proposals/{pk}/nope", "nope", "",
])
def test_unknown_paths_and_ids_are_json_404(api, stage, member, path):
    pk = stage.draft().pk
    client = api(member)
    path = path.format(pk=pk)
    if "actions" in path:
        assert_json_error(client.post(path, {}), 404)
    else:
        assert_json_error(client.get(path), 404)


def test_a_wrong_method_is_a_json_405(api, stage, member):
    pk = stage.draft().pk
    client = api(member)
    response = client.get(f"proposals/{pk}/actions/submit")
    assert_json_error(response, 405)
    assert "POST" in response["Allow"]
    assert_json_error(client.send("put", f"proposals/{pk}", {"title": "x"}), 405)
    assert_json_error(client.delete("proposals"), 405)


def test_a_huge_body_is_refused_in_json(api, stage, staff, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    proposal = stage.submitted()
    response = api(staff).act(proposal, "return", note="长" * 2000)
    assert_json_error(response)


def test_an_unexpected_failure_is_still_json(api, stage, staff, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("jianyan.proposals.workflow.convert_proposal", broken)
    response = api(staff).act(stage.submitted(), "convert")
    assert response.status_code == 500
    assert response.json() == {"error": {"code": "server_error", "message": "服务器内部错误，请稍后重试"}}


def test_an_answer_that_breaks_its_own_schema_is_a_500_not_a_400(api, stage, member, monkeypatch):
    monkeypatch.setattr("jianyan.api.endpoints.proposals.detail_of", lambda request, proposal: {"id": "not an int"})
    response = api(member).get(f"proposals/{stage.draft().pk}")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
