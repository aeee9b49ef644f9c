"""GET /api/v1/proposals/{id}: every viewer sees the proposal, but not every part of it."""

from jianyan.handling import workflow as handling

SCORES = {"science": 18, "seriousness": 19, "feasibility": 16, "norm": 17, "impact": 15}


def view(api, user, pk):
    response = api(user).get(f"proposals/{pk}")
    assert response.status_code == 200, response.content
    return response.json()


def test_the_detail_carries_the_contract_fields(api, stage, staff):
    pk = stage.handling().pk
    d = view(api, staff, pk)
    for key in ("id", "number", "display_number", "title", "background", "suggestions", "state", "state_label",
                "kind", "proposer_type", "category", "session", "proposers", "assignments", "replies", "evaluations",
                "quality_ratings", "consultations", "co_opinions", "merge_host", "reject_reason", "is_key", "version",
                "submitted_at", "created_at"):
        assert key in d, key
    assert (d["state"], d["state_label"], d["display_number"]) == ("handling", "办理中", "第0001号")
    assert d["session"]["label"] == "市政协十四届四次会议"
    assert d["suggestions"] == ["制定新型工业化行动方案", "设立技术改造专项资金"]
    assert [(p["name"], p["role"], p["status"], p["username"]) for p in d["proposers"]] == [
        ("张委员", "first", "accepted", "member1"), ("李委员", "cosigner", "accepted", "member2")]
    assert all(a["signed_at"] for a in d["assignments"])
    assert d["submitted_at"].endswith("+08:00")  # local time, Asia/Shanghai


def test_replies_and_co_opinions_are_shown_by_role(api, stage, member, staff, leader, liaison, liaison2):
    p = stage.handling()
    handling.record_co_opinion(p, actor=liaison2, text="建议统筹资金")
    handling.submit_reply(p, actor=liaison, result_class="B", body="正在推进。", signer="王局长")

    assert (view(api, member, p.pk)["replies"], view(api, member, p.pk)["co_opinions"]) == ([], [])
    for insider in (staff, leader, liaison):
        d = view(api, insider, p.pk)
        assert [(r["status"], r["unit"]["name"]) for r in d["replies"]] == [("pending", "市工信局")]
        assert [o["text"] for o in d["co_opinions"]] == ["建议统筹资金"]
    co_view = view(api, liaison2, p.pk)
    assert co_view["replies"] == []  # the co unit sees its own replies only
    assert [o["unit"]["name"] for o in co_view["co_opinions"]] == ["市科技局"]

    handling.approve_reply(p, actor=staff, result_class="A", note="内部审核意见")
    reply = view(api, member, p.pk)["replies"][0]
    assert (reply["status"], reply["result_class"], reply["body"]) == ("approved", "A", "正在推进。")
    assert (reply["proposed_class"], reply["audit_note"]) == (None, None)
    staff_reply = view(api, staff, p.pk)["replies"][0]
    assert (staff_reply["proposed_class"], staff_reply["audit_note"]) == ("B", "内部审核意见")


def test_two_way_evaluation_is_blind(api, stage, member, staff, liaison, liaison2):
    p = stage.replied()
    handling.evaluate_proposal(p, actor=member, attitude="satisfied", result="unsatisfied", comment="不够具体")

    # Before rating the proposal, a unit does not see the proposers' evaluation.
    assert view(api, liaison, p.pk)["evaluations"] == []
    handling.rate_quality(p, actor=liaison, scores=SCORES, comment="论证充分")
    lead_view = view(api, liaison, p.pk)
    assert [(e["proposer"], e["result"]) for e in lead_view["evaluations"]] == [("张委员", "unsatisfied")]
    assert [(r["unit"]["name"], r["total"], r["grade"]) for r in lead_view["quality_ratings"]] == [("市工信局", 85, "良好")]

    # The other unit has not rated: it sees neither the evaluation nor the lead unit's rating.
    co_view = view(api, liaison2, p.pk)
    assert (co_view["evaluations"], co_view["quality_ratings"]) == ([], [])
    # The proposers never see the unit's rating of their proposal; staff see both sides.
    member_view = view(api, member, p.pk)
    assert member_view["quality_ratings"] == []
    assert [e["comment"] for e in member_view["evaluations"]] == ["不够具体"]
    staff_view = view(api, staff, p.pk)
    assert (len(staff_view["evaluations"]), len(staff_view["quality_ratings"])) == (1, 1)

    member_actions = [e["action"] for e in api(member).get(f"proposals/{p.pk}/timeline").json()]
    staff_actions = [e["action"] for e in api(staff).get(f"proposals/{p.pk}/timeline").json()]
    assert "quality.rated" in staff_actions
    assert "quality.rated" not in member_actions


def test_internal_notes_stay_with_staff_and_units(api, stage, member, staff, liaison):
    p = stage.reply_audit()
    handling.send_back_reply(p, actor=staff, note="答复未回应第二条建议")

    def note_of(user):
        entries = api(user).get(f"proposals/{p.pk}/timeline").json()
        return [e["note"] for e in entries if e["action"] == "reply.sent_back"]

    assert note_of(staff) == note_of(liaison) == ["答复未回应第二条建议"]
    assert note_of(member) == [""]


def test_return_requests_are_shown_to_staff_and_the_requesting_unit(api, stage, member, staff, liaison, liaison2):
    p = stage.return_requested()
    assert [r["reason"] for r in view(api, staff, p.pk)["return_requests"]] == ["不属于本单位职责"]
    assert [r["unit"]["name"] for r in view(api, liaison2, p.pk)["return_requests"]] == ["市科技局"]
    assert view(api, liaison, p.pk)["return_requests"] == []
    assert view(api, member, p.pk)["return_requests"] == []
