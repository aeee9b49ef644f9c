"""The other roads a proposal takes over the API: rehandling after 不满意, merge, convert, reject,
return for revision, a unit's return request, and the conflicts of concurrent or stale changes."""

import datetime as dt

import time_machine
from django.utils import timezone

from jianyan.notifications.models import Notification


def test_unsatisfied_twice_stays_replied_until_staff_consult_and_close_unresolved(
    api, stage, member, cosigner, staff, liaison
):
    pk = stage.replied().pk
    m, c, s, gxj = api(member), api(cosigner), api(staff), api(liaison)

    # The first 不满意 sends it back to the units for a second round.
    r = m.act(pk, "evaluate", attitude="basically_satisfied", result="unsatisfied", comment="措施不具体")
    assert r.status_code == 200
    assert (r.json()["state"], r.json()["round"]) == ("rehandling", 2)
    assert Notification.objects.filter(user=liaison, kind="proposal.rehandling", proposal_id=pk).exists()

    # The second reply, approved.
    r = gxj.act(pk, "reply", result_class="B", body="补充答复：已列入明年计划。", signer="王局长")
    assert r.json()["state"] == "reply_audit"
    r = s.act(pk, "approve_reply")
    assert r.json()["state"] == "replied"
    assert [(x["round"], x["result_class"]) for x in r.json()["replies"]] == [(1, "A"), (2, "B")]

    # A second 不满意 leaves it replied and tells staff; the other proposer's rating does not close it.
    assert m.act(pk, "evaluate", attitude="unsatisfied", result="unsatisfied").json()["state"] == "replied"
    assert "proposal.unsatisfied_again" in s.notification_kinds()
    assert c.act(pk, "evaluate", attitude="satisfied", result="satisfied").json()["state"] == "replied"

    # Staff may close it only after a face-to-face consultation, and it is closed as unresolved.
    r = s.act(pk, "close", note="已当面协商", unresolved=True)
    assert r.status_code == 409
    assert "协商" in r.json()["error"]["message"]
    r = s.act(pk, "consult", form="face_to_face", date=timezone.localdate().isoformat(),
              participants="张委员、提案委王", outcome="解释了客观困难，委员表示理解")
    assert r.status_code == 200
    assert r.json()["consultations"][0]["unit"] is None
    r = s.act(pk, "close", note="已当面协商", unresolved=True)
    assert r.status_code == 200, r.content
    closed = r.json()
    assert (closed["state"], closed["closed_unresolved"]) == ("closed", True)
    assert [(e["round"], e["result"]) for e in closed["evaluations"]] == [
        (1, "unsatisfied"), (2, "unsatisfied"), (2, "satisfied")]
    assert [e["action"] for e in s.get(f"proposals/{pk}/timeline").json()][-2:] == [
        "consultation.recorded", "proposal.closed"]


def test_staff_close_a_replied_proposal_only_after_the_evaluation_window(api, stage, staff):
    pk = stage.replied().pk
    s = api(staff)
    r = s.act(pk, "close")
    assert r.status_code == 409
    assert "评价期" in r.json()["error"]["message"]
    with time_machine.travel(timezone.now() + dt.timedelta(days=25)):  # past the window, even moved off holidays
        r = s.act(pk, "close", unresolved=True)
    assert r.status_code == 200
    # Without a second 不满意 nothing is unresolved; missing ratings stay 未评价.
    assert (r.json()["state"], r.json()["closed_unresolved"], r.json()["evaluations"]) == ("closed", False, [])


def test_staff_merge_a_submitted_proposal_into_a_registered_one(api, stage, staff, member):
    host = stage.registered(title="关于推进专精特新企业发展的提案")
    pk = stage.submitted(title="关于支持专精特新中小企业的提案").pk
    s = api(staff)

    assert s.act(pk, "merge", into=pk).status_code == 400
    r = s.act(pk, "merge", into=stage.submitted(title="另一件未立案的提案").pk)
    assert r.status_code == 400
    assert "into" in r.json()["error"]["fields"]

    r = s.act(pk, "merge", into=host.pk, note="内容相近")
    assert r.status_code == 200
    merged = r.json()
    assert merged["state"] == "merged"
    assert merged["merge_host"] == {"id": host.pk, "display_number": "第0001号", "title": "关于推进专精特新企业发展的提案"}
    assert merged["number"] is None
    assert "proposal.merged" in api(member).notification_kinds()


def test_staff_convert_a_submitted_proposal_into_an_opinion(api, stage, staff):
    pk = stage.submitted().pk
    r = api(staff).act(pk, "convert", note="属于具体事务，转有关部门参考")
    assert r.status_code == 200
    assert (r.json()["state"], r.json()["decision_note"]) == ("converted", "属于具体事务，转有关部门参考")


def test_staff_reject_with_a_coded_reason(api, stage, staff, member):
    pk = stage.submitted().pk
    s = api(staff)
    r = s.act(pk, "reject", reason_code="R99")
    assert r.status_code == 400
    assert r.json()["error"]["fields"] == {"reason_code": "理由代码无效"}

    r = s.act(pk, "reject", reason_code="R10", note="建议部分空泛")
    assert r.status_code == 200
    rejected = r.json()
    assert rejected["state"] == "not_registered"
    assert rejected["reject_reason"] == {"code": "R10", "text": "内容空泛、没有具体建议"}
    # The proposer sees why, and was told.
    assert api(member).get(f"proposals/{pk}").json()["reject_reason"]["code"] == "R10"
    assert "proposal.not_registered" in api(member).notification_kinds()


def test_a_returned_proposal_is_edited_and_submitted_again(api, stage, staff, member, cosigner):
    pk = stage.submitted().pk
    s, m = api(staff), api(member)
    r = s.act(pk, "return", note="请补充具体数据")
    assert r.status_code == 200
    returned = r.json()
    assert returned["state"] == "returned"
    assert m.get(f"proposals/{pk}").json()["decision_note"] == "请补充具体数据"

    # Only the author edits; the co-signer sees it but may not.
    assert api(cosigner).patch(f"proposals/{pk}", {"title": "改了"}).status_code == 403
    r = m.patch(f"proposals/{pk}", {"background": "2024年全市规上工业增加值增长3.1%。", "version": returned["version"]})
    assert r.status_code == 200, r.content
    edited = r.json()
    assert edited["background"] == "2024年全市规上工业增加值增长3.1%。"
    assert edited["version"] == returned["version"] + 1

    r = m.act(pk, "submit")
    assert r.status_code == 200
    assert r.json()["state"] == "submitted"  # the co-signer confirmed before: no new round of co-signing
    actions = [e["action"] for e in s.get(f"proposals/{pk}/timeline").json()]
    assert actions[-3:] == ["proposal.returned", "proposal.edited", "proposal.submitted"]


def test_a_unit_return_request_accepted_moves_the_proposal_to_a_new_unit(
    api, stage, staff, liaison, unit_jyj, liaison3
):
    jyj, jyj_liaison = unit_jyj, liaison3
    pk = stage.assigned().pk
    s, gxj = api(staff), api(liaison)

    r = gxj.act(pk, "request_return", reason="该事项属于教育部门职责")
    assert r.status_code == 200
    assert r.json()["state"] == "return_requested"
    assert [x["reason"] for x in r.json()["return_requests"]] == ["该事项属于教育部门职责"]
    assert "assignment.return_requested" in s.notification_kinds()

    # The lead unit cannot simply leave without a new lead.
    r = s.act(pk, "decide_return", accept=True)
    assert r.status_code == 400
    assert "units" in r.json()["error"]["fields"]

    r = s.act(pk, "decide_return", accept=True, units=[{"unit": jyj.pk, "mode": "lead"}], note="改由教育局主办")
    assert r.status_code == 200, r.content
    decided = r.json()
    assert decided["state"] == "assigned"
    assert {(a["unit"]["name"], a["mode"], a["is_active"]) for a in decided["assignments"]} == {
        ("市工信局", "lead", False), ("市科技局", "co", True), ("市教育局", "lead", True)}
    assert decided["return_requests"][0]["accepted"] is True

    # The old unit no longer sees it; the new one does and was told.
    assert gxj.get(f"proposals/{pk}").status_code == 404
    assert api(jyj_liaison).get(f"proposals/{pk}").status_code == 200
    # The old unit hears its request was granted; the new one is told to sign (not about someone's request).
    assert "assignment.return_decided" in gxj.notification_kinds()
    assert api(jyj_liaison).notification_kinds() == {"proposal.assigned"}
    assert api(jyj_liaison).act(pk, "sign").status_code == 200


def test_a_unit_return_request_rejected_keeps_the_unit_handling(api, stage, staff, liaison2):
    pk = stage.return_requested().pk
    s, kjj = api(staff), api(liaison2)
    r = s.act(pk, "decide_return", accept=False, note="请按交办意见会办")
    assert r.status_code == 200
    decided = r.json()
    assert decided["state"] == "assigned"
    assert [(x["accepted"], x["decision_note"]) for x in decided["return_requests"]] == [(False, "请按交办意见会办")]
    assert all(a["is_active"] for a in decided["assignments"])
    # The unit still sees it, is told, and signs.
    assert [x["accepted"] for x in kjj.get(f"proposals/{pk}").json()["return_requests"]] == [False]
    assert "assignment.return_decided" in kjj.notification_kinds()
    assert kjj.act(pk, "sign").status_code == 200


def test_registering_twice_gives_409_with_a_chinese_message(api, stage, staff, admin_user, themes):
    pk = stage.submitted().pk
    first = api(staff).act(pk, "register", category=themes[1].pk)
    assert first.status_code == 200
    assert first.json()["number"] == 1
    second = api(admin_user).act(pk, "register", category=themes[2].pk)
    assert second.status_code == 409
    error = second.json()["error"]
    assert error["code"] == "invalid_state"
    assert "已立案" in error["message"] and "刷新" in error["message"]
    # Nothing changed by the second attempt.
    again = api(staff).get(f"proposals/{pk}").json()
    assert (again["number"], again["category"]["id"], again["version"]) == (1, themes[1].pk, first.json()["version"])


def test_patch_with_a_stale_version_is_a_409_conflict(api, stage, member):
    pk = stage.draft().pk
    m = api(member)
    version = m.get(f"proposals/{pk}").json()["version"]
    r = m.patch(f"proposals/{pk}", {"title": "关于加快传统产业数字化改造的提案", "version": version})
    assert r.status_code == 200
    assert r.json()["title"] == "关于加快传统产业数字化改造的提案"

    stale = m.patch(f"proposals/{pk}", {"title": "另一个标题", "version": version})
    assert stale.status_code == 409
    assert stale.json()["error"] == {"code": "conflict", "message": "提案已被修改，请刷新后再编辑"}
    assert m.get(f"proposals/{pk}").json()["title"] == "关于加快传统产业数字化改造的提案"

    # Without a version the edit simply applies; unknown fields are refused.
    assert m.patch(f"proposals/{pk}", {"suggestions": ["一", "二", "三"]}).json()["suggestions"] == ["一", "二", "三"]
    r = m.patch(f"proposals/{pk}", {"state": "closed"})
    assert r.status_code == 400
    assert r.json()["error"]["fields"] == {"state": "不支持的字段"}


def test_patch_after_submission_is_a_409(api, stage, member):
    pk = stage.submitted().pk
    r = api(member).patch(f"proposals/{pk}", {"title": "改标题"})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "invalid_state"


def test_a_clerk_drafts_a_collective_proposal_and_staff_may_not_draft(api, clerk, staff, member, outsider):
    r = api(clerk).post("proposals", {"title": "关于加强非遗保护的提案", "suggestions": ["建立名录"]})
    assert r.status_code == 201
    created = r.json()
    assert created["proposer_type"] == "party"
    assert [(p["name"], p["organisation"], p["username"]) for p in created["proposers"]] == [
        ("民革阳泉市委员会", "民革阳泉市委员会", None)]
    r = api(staff).post("proposals", {"title": "工作人员不能撰写"})
    assert r.status_code == 403
    assert r.json()["error"]["message"] == "只有委员或集体提案经办人可以撰写提案"
    # Co-signers must be members of the same committee.
    r = api(clerk).post("proposals", {"title": "集体提案", "cosigners": ["member1"]})
    assert r.status_code == 400
    r = api(member).post("proposals", {"title": "跨政协联名", "cosigners": ["outsider"]})
    assert r.status_code == 400
    assert r.json()["error"] == {"code": "invalid", "message": "以下联名人不是本政协委员：outsider",
                                 "fields": {"cosigners": "联名人无效"}}
