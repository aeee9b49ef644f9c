"""The unit liaison's pages: the inbox by state, signing or asking to return, consultations, the co-handling
unit's opinion, the lead unit's reply with its signed letter, and the blind quality rating (双向评议)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from jianyan.core.models import AuditEvent
from jianyan.handling import workflow as handling
from jianyan.handling.models import Assignment, Consultation, CoOpinion, QualityRating, Reply
from jianyan.proposals.models import Attachment
from jianyan.workspace.selectors import UNIT_TABS, unit_tab_q

pytestmark = pytest.mark.django_db

SCORES = {"score_science": "18", "score_seriousness": "17", "score_feasibility": "16", "score_norm": "19",
          "score_impact": "15"}


def detail_url(p):
    return reverse("proposals:detail", args=[p.pk])


def act_url(p, action):
    return reverse("proposals:act", args=[p.pk, action])


def inbox(client, tab):
    response = client.get(reverse("workspace:home"), {"tab": tab})
    assert response.status_code == 200
    return response


def test_the_inbox_shows_assignments_to_sign_with_the_return_deadline(web, liaison, stage):
    p = stage.assigned()
    response = inbox(web(liaison), "to_sign")
    html = response.content.decode()
    assert "办理工作台" in html and p.title in html and "申请退回截止" in html
    # the history tab (every year's replies) is counted only when it is open
    assert response.context["counts"] == {"to_sign": 1, "handling": 0, "co_opinion": 0, "rehandling": 0}
    assert '待签收<span class="n">1</span>' in html and '已答复<span class="n">' not in html


def test_the_inbox_counts_agree_with_the_rows_of_every_tab(web, liaison, liaison2, member, stage):
    """The working tabs are counted over the proposals in working states only (a province's unit has
    thousands of replied ones): each count is the number of rows its tab lists, for proposals in every state
    an assignment can be in."""
    stage.assigned(title="甲"), stage.return_requested(title="乙"), stage.handling(title="丙")
    stage.reply_audit(title="丁"), stage.replied(title="戊")
    closed = stage.replied(title="己")
    handling.evaluate_proposal(closed, actor=member, attitude="satisfied", result="satisfied")
    rehandled = stage.replied(title="庚")
    handling.evaluate_proposal(rehandled, actor=member, attitude="satisfied", result="unsatisfied")
    for who in (liaison, liaison2):
        client = web(who)
        for tab in UNIT_TABS:
            response = inbox(client, tab)
            listed = len(response.context["page"].object_list)
            assert response.context["counts"][tab] == listed, (who.username, tab)
            assert listed == Assignment.objects.filter(unit__liaisons__user=who, is_active=True).filter(
                unit_tab_q()[tab]).count(), (who.username, tab)
    assert inbox(web(liaison), "replied").context["counts"]["replied"] == 2  # 戊 and 己 (庚 is handled again)


def test_the_inbox_tabs_follow_the_handling(web, liaison, liaison2, stage):
    p = stage.handling()
    gxj, kjj = web(liaison), web(liaison2)
    handling_tab = inbox(gxj, "handling").content.decode()
    assert p.title in handling_tab and "剩余" in handling_tab
    assert p.title in inbox(kjj, "co_opinion").content.decode()
    assert p.title not in inbox(gxj, "co_opinion").content.decode()
    htmx = gxj.get(reverse("workspace:home"), {"tab": "replied"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in htmx and "这里暂时没有提案" in htmx


def test_a_unit_signs(web, liaison, liaison2, stage):
    p = stage.assigned()
    response = web(liaison).post(act_url(p, "sign"), follow=True)
    assert "已签收，等待其他承办单位签收" in response.content.decode()
    web(liaison2).post(act_url(p, "sign"))
    p.refresh_from_db()
    assert p.state == "handling"
    assert AuditEvent.objects.filter(proposal=p, action="assignment.signed").count() == 2


def test_a_unit_asks_to_return_with_a_reason(web, liaison2, stage):
    p = stage.assigned()
    response = web(liaison2).post(act_url(p, "request_return"), {"reason": ""})
    assert response.status_code == 400 and "请填写退回理由" in response.content.decode()
    web(liaison2).post(act_url(p, "request_return"), {"reason": "不属于本单位职责"})
    p.refresh_from_db()
    assert p.state == "return_requested"


def test_the_co_handling_unit_writes_its_opinion_for_the_lead(web, liaison, liaison2, stage):
    p = stage.handling()
    html = web(liaison2).get(detail_url(p)).content.decode()
    assert "提交会办意见" in html and "提交答复，送审核" not in html
    response = web(liaison2).post(act_url(p, "co_opinion"), {"text": ""})
    assert response.status_code == 400 and "请填写会办意见" in response.content.decode()
    web(liaison2).post(act_url(p, "co_opinion"), {"text": "建议统筹技改资金。"})
    assert CoOpinion.objects.get().text == "建议统筹技改资金。"
    assert "建议统筹技改资金。" in web(liaison).get(detail_url(p)).content.decode()


def test_the_lead_unit_records_a_consultation(web, liaison, stage):
    p = stage.handling()
    today = timezone.localdate().isoformat()
    response = web(liaison).post(act_url(p, "consult"), {"form": "face_to_face", "date": "明天",
                                                         "participants": "张委员", "outcome": "达成一致"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "协商日期格式应为 YYYY-MM-DD" in html and "张委员" in html and "达成一致" in html
    web(liaison).post(act_url(p, "consult"), {"form": "face_to_face", "date": today, "participants": "张委员",
                                              "outcome": "达成一致"})
    c = Consultation.objects.get()
    assert (c.form, c.participants, c.unit.name) == ("face_to_face", "张委员", "市工信局")


def test_the_lead_unit_replies_with_the_signed_letter(web, liaison, liaison2, member, staff, stage, uploads):
    p = stage.handling()
    html = web(liaison).get(detail_url(p)).content.decode()
    assert "答复提案人" in html and 'name="letter"' in html
    response = web(liaison).post(act_url(p, "reply"), {
        "result_class": "A", "body": "我局已制定行动方案。", "signer": "王局长", "doc_no": "阳工信函〔2025〕1号",
        "letter": uploads.pdf("答复函.pdf"),
    })
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.state == "reply_audit"
    reply = Reply.objects.get()
    letter = Attachment.objects.get(kind="reply_letter")
    assert letter.reply == reply and letter.name == "答复函.pdf"
    url = reverse("proposals:attachment", args=[p.pk, letter.pk])
    assert web(staff).get(url).status_code == 200
    assert web(liaison).get(url).status_code == 200
    assert web(member).get(url).status_code == 404  # not before the reply is approved
    assert web(liaison2).get(url).status_code == 404  # another unit's reply
    handling.approve_reply(p, actor=staff)
    assert web(member).get(url).status_code == 200
    assert "答复函.pdf" in web(member).get(detail_url(p)).content.decode()


def test_a_reply_with_a_bad_letter_is_not_submitted_and_keeps_the_text(web, liaison, stage, uploads):
    p = stage.handling()
    response = web(liaison).post(act_url(p, "reply"), {"result_class": "A", "body": "答复正文保留", "signer": "王局长",
                                                       "letter": uploads.fake("答复函.pdf")})
    assert response.status_code == 400
    html = response.content.decode()
    assert "不是 PDF、Word（DOCX）或 PNG/JPEG 图片" in html and "答复正文保留" in html
    assert not Reply.objects.exists() and not Attachment.objects.exists()
    p.refresh_from_db()
    assert p.state == "handling"


def test_a_reply_without_a_class_comes_back(web, liaison, stage):
    p = stage.handling()
    response = web(liaison).post(act_url(p, "reply"), {"body": "正文", "signer": "王局长"})
    assert response.status_code == 400 and "办理结果分类应为 A/B/C" in response.content.decode()


def test_the_co_unit_may_not_reply(web, liaison2, stage):
    p = stage.handling()
    response = web(liaison2).post(act_url(p, "reply"), {"result_class": "A", "body": "正文", "signer": "李局长"})
    assert response.status_code == 403 and "贵单位不是该提案的相应承办单位" in response.content.decode()


def test_the_quality_rating_is_blind_to_the_proposers_rating(web, liaison, member, cosigner, stage):
    p = stage.replied()
    handling.evaluate_proposal(p, actor=member, attitude="satisfied", result="basically_satisfied",
                               comment="委员的评价意见")
    before = web(liaison).get(detail_url(p)).content.decode()
    assert "委员的评价意见" not in before and "评议提案质量" in before
    response = web(liaison).post(act_url(p, "rate_quality"), {**SCORES, "score_impact": "很好", "comment": "选题好"})
    assert response.status_code == 400
    assert "每项得分应为 0 到 20 的整数" in response.content.decode() and "选题好" in response.content.decode()
    web(liaison).post(act_url(p, "rate_quality"), {**SCORES, "comment": "选题好"})
    rating = QualityRating.objects.get()
    assert rating.total == 85 and rating.grade == "良好"
    after = web(liaison).get(detail_url(p)).content.decode()
    assert "委员的评价意见" in after and "评议提案质量（双向评议）" not in after


def test_a_rehandling_proposal_waits_in_its_tab_and_is_replied_again(web, liaison, member, stage):
    p = stage.replied()
    handling.evaluate_proposal(p, actor=member, attitude="satisfied", result="unsatisfied")
    client = web(liaison)
    assert p.title in inbox(client, "rehandling").content.decode()
    assert "重新答复" in client.get(detail_url(p)).content.decode()
    client.post(act_url(p, "reply"), {"result_class": "B", "body": "重新办理后的答复", "signer": "王局长"})
    p.refresh_from_db()
    assert p.state == "reply_audit" and Reply.objects.filter(round=2).exists()


def test_a_unit_sees_only_its_own_proposals(web, liaison, stage, build, member, staff, themes, unit_kjj):
    mine = stage.assigned()
    other = build.assigned(member, staff, themes[0], [{"unit": unit_kjj.pk, "mode": "lead"}],
                           title="关于只交给科技局的提案")
    client = web(liaison)
    assert client.get(detail_url(mine)).status_code == 200
    assert client.get(detail_url(other)).status_code == 404
    assert client.post(act_url(other, "sign")).status_code == 404
