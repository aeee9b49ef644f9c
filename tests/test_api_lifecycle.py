"""One proposal from draft to closed through every role, over the JSON API only."""

from django.utils import timezone

from jianyan.notifications.models import Notification


def test_a_joint_proposal_goes_from_draft_to_closed_through_every_role(
    api, member, cosigner, staff, liaison, liaison2, leader, themes, unit_gxj, unit_kjj
):
    m, c, s = api(member), api(cosigner), api(staff)
    gxj, kjj = api(liaison), api(liaison2)

    # The member drafts with member2 as co-signer and submits; member2 confirms.
    r = m.post("proposals", {
        "title": "关于加快传统产业改造升级的提案", "background": "我市传统产业占比较高。",
        "suggestions": ["制定新型工业化行动方案", "设立技术改造专项资金"], "cosigners": ["member2"],
    })
    assert r.status_code == 201, r.content
    created = r.json()
    pk = created["id"]
    assert created["state"] == "draft"
    assert created["proposer_type"] == "joint"
    assert [(p["username"], p["role"], p["status"]) for p in created["proposers"]] == [
        ("member1", "first", "accepted"), ("member2", "cosigner", "pending")]
    assert created["number"] is None and created["display_number"] is None

    assert m.act(pk, "submit").json()["state"] == "cosigning"
    r = c.act(pk, "cosign", accept=True)
    assert r.status_code == 200
    assert r.json()["state"] == "submitted"
    assert r.json()["submitted_at"] is not None

    # Staff register it under a theme (it gets number 1) and assign it to a lead and a co unit.
    r = s.act(pk, "register", category=themes[0].pk, note="符合立案标准")
    assert r.status_code == 200, r.content
    registered = r.json()
    assert (registered["state"], registered["number"], registered["display_number"]) == ("registered", 1, "第0001号")
    assert registered["category"] == {"id": themes[0].pk, "name": themes[0].name}

    r = s.act(pk, "assign", units=[{"unit": unit_gxj.pk, "mode": "lead"}, {"unit": unit_kjj.pk, "mode": "co"}])
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "assigned"
    assert {(a["unit"]["name"], a["mode"], a["is_active"]) for a in r.json()["assignments"]} == {
        ("市工信局", "lead", True), ("市科技局", "co", True)}

    # Both units sign; the proposal is being handled only once both have.
    assert gxj.act(pk, "sign").json()["state"] == "assigned"
    assert kjj.act(pk, "sign").json()["state"] == "handling"

    # The co unit gives its opinion, the lead unit consults the proposer and replies.
    assert kjj.act(pk, "co_opinion", text="建议统筹技改资金。").status_code == 200
    r = gxj.act(pk, "consult", form="face_to_face", date=timezone.localdate().isoformat(),
                participants="张委员、工信局王科长", outcome="就行动方案达成一致")
    assert r.status_code == 200
    assert r.json()["state"] == "handling"
    r = gxj.act(pk, "reply", result_class="A", body="我局已制定新型工业化行动方案。", signer="王局长",
                doc_no="阳工信函〔2025〕1号")
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "reply_audit"

    # The proposers do not see the reply before staff approve it, nor the co unit's opinion ever.
    pending_view = m.get(f"proposals/{pk}").json()
    assert pending_view["replies"] == []
    assert pending_view["co_opinions"] == []

    r = s.act(pk, "approve_reply", result_class="A", note="同意")
    assert r.status_code == 200
    assert r.json()["state"] == "replied"
    assert [(x["result_class"], x["status"]) for x in m.get(f"proposals/{pk}").json()["replies"]] == [("A", "approved")]

    # Both proposers rate it; the second satisfied rating closes it.
    r = m.act(pk, "evaluate", attitude="satisfied", result="satisfied", comment="办理认真")
    assert r.json()["state"] == "replied"
    r = c.act(pk, "evaluate", attitude="satisfied", result="basically_satisfied")
    assert r.status_code == 200
    closed = r.json()
    assert closed["state"] == "closed"
    assert closed["closed_at"] is not None
    assert closed["closed_unresolved"] is False
    assert [(e["attitude"], e["result"]) for e in closed["evaluations"]] == [
        ("satisfied", "satisfied"), ("satisfied", "basically_satisfied")]

    # The leader follows it all: the reply, the co opinion and the consultation.
    overview = api(leader).get(f"proposals/{pk}").json()
    assert len(overview["replies"]) == 1
    assert [o["text"] for o in overview["co_opinions"]] == ["建议统筹技改资金。"]
    assert [x["outcome"] for x in overview["consultations"]] == ["就行动方案达成一致"]

    # The timeline tells the whole story in order.
    timeline = s.get(f"proposals/{pk}/timeline").json()
    assert [(e["action"], e["from_state"], e["to_state"]) for e in timeline] == [
        ("proposal.created", "", "draft"),
        ("proposal.cosign_requested", "draft", "cosigning"),
        ("proposal.cosign_accepted", "cosigning", "cosigning"),
        ("proposal.submitted", "cosigning", "submitted"),
        ("proposal.registered", "submitted", "registered"),
        ("proposal.assigned", "registered", "assigned"),
        ("assignment.signed", "assigned", "assigned"),
        ("assignment.signed", "assigned", "handling"),
        ("co_opinion.recorded", "handling", "handling"),
        ("consultation.recorded", "handling", "handling"),
        ("reply.submitted", "handling", "reply_audit"),
        ("reply.approved", "reply_audit", "replied"),
        ("evaluation.recorded", "replied", "replied"),
        ("evaluation.recorded", "replied", "closed"),
    ]
    assert [e["actor"] for e in timeline][:5] == ["张委员", "张委员", "李委员", "李委员", "提案委王"]
    assert timeline[4]["note"] == "符合立案标准"
    assert timeline[4]["action_label"] == "立案"

    # Each notification went to the people concerned, and only to them.
    assert {"proposal.submitted", "reply.submitted"} <= s.notification_kinds()
    assert "proposal.cosign_requested" in c.notification_kinds()
    assert "proposal.cosign_requested" not in m.notification_kinds()
    assert "proposal.assigned" in gxj.notification_kinds()
    assert "proposal.assigned" in kjj.notification_kinds()
    for proposer in (m, c):
        assert {"proposal.registered", "reply.sent", "proposal.closed"} <= proposer.notification_kinds()
    assert "reply.sent" not in s.notification_kinds() | gxj.notification_kinds()
    assert "proposal.submitted" not in m.notification_kinds() | gxj.notification_kinds()
    assert api(leader).notification_kinds() == set()
    assert Notification.objects.filter(kind="proposal.assigned", proposal_id=pk).count() == 2


def test_notifications_are_newest_first_and_can_be_marked_read(api, stage, staff, member):
    p = stage.submitted()
    other = stage.submitted(title="关于优化营商环境的提案")
    Notification.objects.filter(user=staff).delete()
    Notification.objects.create(user=staff, kind="proposal.submitted", text="第一条", proposal=p)
    Notification.objects.create(user=staff, kind="proposal.submitted", text="第二条", proposal=other)
    s = api(staff)

    listed = s.get("notifications").json()
    assert [n["text"] for n in listed["items"]] == ["第二条", "第一条"]
    assert (listed["total"], listed["unread"]) == (2, 2)
    assert listed["items"][0]["proposal"] == other.pk
    first_id = listed["items"][1]["id"]

    # Nobody else may read or mark someone's notification.
    assert api(member).post(f"notifications/{first_id}/read").status_code == 404
    r = s.post(f"notifications/{first_id}/read")
    assert r.status_code == 200
    assert r.json()["read"] is True
    listed = s.get("notifications").json()
    assert listed["unread"] == 1
    assert [n["text"] for n in s.get("notifications", {"unread": "true"}).json()["items"]] == ["第二条"]
    assert s.post("notifications/read-all").json() == {"updated": 1}
    assert s.get("notifications").json()["unread"] == 0
    assert s.post("notifications/999999/read").status_code == 404
