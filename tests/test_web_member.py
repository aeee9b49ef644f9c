"""The member's and collective clerk's pages: 我的提案, writing, editing, co-signing, files, evaluation."""

import pytest
from django.urls import reverse

from jianyan.core.models import AuditEvent
from jianyan.handling import workflow as handling
from jianyan.proposals import workflow as proposals
from jianyan.proposals.models import Attachment, Proposal, Proposer

pytestmark = pytest.mark.django_db


def detail_url(p):
    return reverse("proposals:detail", args=[p.pk])


def act_url(p, action):
    return reverse("proposals:act", args=[p.pk, action])


NEW = {
    "title": "关于加快老旧小区加装电梯的提案",
    "background": "我市老旧小区多，老年人上下楼困难。",
    "suggestions": ["简化加装电梯审批流程", "设立加装电梯专项补贴", ""],
}


# ---- 我的提案 -----------------------------------------------------------------------------------

def test_the_member_lands_on_their_proposals_with_what_waits_for_them(web, member, build, stage):
    build.draft(member, title="关于一件草稿的提案")
    stage.replied(title="关于一件已答复提案的提案")
    response = web(member).get(reverse("workspace:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "我的提案" in html
    assert "关于一件草稿的提案" in html and "待您提交" in html
    assert "关于一件已答复提案的提案" in html and "待您评价办理情况" in html


def test_the_login_redirects_each_role_to_the_workspace(web, member):
    response = web().post(reverse("portal:login"), {"username": "member1", "password": "demo-pass-2024"})
    assert response.status_code == 302
    assert response["Location"] == "/workspace/"


def test_the_workspace_needs_a_login(web):
    response = web().get(reverse("workspace:home"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_tabs_filter_the_list_and_htmx_gets_only_the_results(web, member, build):
    build.draft(member, title="关于草稿甲的提案")
    build.submitted(member, title="关于已提交乙的提案")
    client = web(member)
    html = client.get(reverse("workspace:home"), {"tab": "active"}).content.decode()
    assert "关于已提交乙的提案" in html and "关于草稿甲的提案" not in html
    partial = client.get(reverse("workspace:home"), {"tab": "drafts"}, headers={"HX-Request": "true"})
    text = partial.content.decode()
    assert "<html" not in text and 'id="results"' in text
    assert "关于草稿甲的提案" in text and "关于已提交乙的提案" not in text


def test_an_empty_workspace_says_so(web, member):
    html = web(member).get(reverse("workspace:home")).content.decode()
    assert "目前没有等待您处理的事项" in html


# ---- writing -----------------------------------------------------------------------------------

def test_the_writing_form_renders(web, member, cosigner):
    response = web(member).get(reverse("proposals:new"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="title"' in html and 'name="suggestions"' in html and 'list="member-options"' in html
    assert 'value="member2"' in html  # co-signer suggestions list the committee's members
    assert 'value="member1"' not in html  # not oneself


def test_co_signer_suggestions_are_escaped(web, member, cosigner):
    cosigner.profile.display_name = '<script>alert("x")</script>委员'
    cosigner.profile.save()
    html = web(member).get(reverse("proposals:new")).content.decode()
    assert '<option value="member2">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;委员</option>' in html


def test_options_escape_values_and_labels_and_mark_the_chosen():
    from jianyan.workspace.web import options_html

    html = options_html([('a"b', "甲<乙"), (2, "丙&丁")], {"2"})
    assert html == '<option value="a&quot;b">甲&lt;乙</option><option value="2" selected>丙&amp;丁</option>'


def test_saving_a_draft_calls_the_workflow(web, member):
    response = web(member).post(reverse("proposals:new"), NEW)
    p = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(p)
    assert (p.state, p.title, p.suggestions) == ("draft", NEW["title"], NEW["suggestions"][:2])
    assert AuditEvent.objects.filter(proposal=p, action="proposal.created").exists()


def test_a_draft_with_a_co_signer_is_submitted_for_co_signing(web, member, cosigner):
    response = web(member).post(reverse("proposals:new"), {**NEW, "cosigners": ["member2", ""], "submit": "1"})
    p = Proposal.objects.get()
    assert response.status_code == 302
    assert p.state == "cosigning" and p.proposer_type == "joint"
    assert p.proposers.get(user=cosigner).status == "pending"
    follow = web(member).get(detail_url(p))
    assert "待联名" in follow.content.decode()


def test_bad_input_re_renders_the_form_with_the_message_and_the_input(web, member):
    response = web(member).post(reverse("proposals:new"), {**NEW, "title": "", "cosigners": ["nobody"]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "请填写案由" in html
    assert NEW["background"] in html and "设立加装电梯专项补贴" in html and 'value="nobody"' in html
    assert not Proposal.objects.exists()


def test_an_unknown_co_signer_is_refused_with_the_workflow_message(web, member):
    response = web(member).post(reverse("proposals:new"), {**NEW, "cosigners": ["nobody"]})
    assert response.status_code == 400
    assert "以下联名人不是本政协委员：nobody" in response.content.decode()


def test_submitting_without_suggestions_keeps_the_draft_and_says_why(web, member):
    response = web(member).post(reverse("proposals:new"), {**NEW, "suggestions": [""], "submit": "1"}, follow=True)
    p = Proposal.objects.get()
    assert p.state == "draft"
    assert "提案须有具体建议" in response.content.decode()


def test_staff_and_units_may_not_write_proposals(web, staff, liaison):
    assert web(staff).get(reverse("proposals:new")).status_code == 403
    response = web(liaison).post(reverse("proposals:new"), NEW)
    assert response.status_code == 403 and "只有委员或集体提案经办人可以撰写提案" in response.content.decode()


def test_a_collective_clerk_writes_in_the_organisations_name(web, clerk, party):
    response = web(clerk).post(reverse("proposals:new"), NEW)
    assert response.status_code == 302
    p = Proposal.objects.get()
    assert p.organisation == party and p.proposer_type == "party"
    html = web(clerk).get(reverse("workspace:home"), {"tab": "all"}).content.decode()
    assert NEW["title"] in html and party.name in html


# ---- files -------------------------------------------------------------------------------------

def test_attachments_are_checked_by_content_and_stored(web, member, uploads):
    response = web(member).post(reverse("proposals:new"), {**NEW, "attachments": [uploads.pdf(), uploads.docx(),
                                                                                   uploads.png()]})
    assert response.status_code == 302
    p = Proposal.objects.get()
    assert sorted(a.file_type for a in p.attachments.all()) == ["docx", "pdf", "png"]
    a = p.attachments.get(file_type="pdf")
    download = web(member).get(reverse("proposals:attachment", args=[p.pk, a.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert AuditEvent.objects.filter(proposal=p, action="attachment.added").exists()


def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_saved(web, member, uploads):
    response = web(member).post(reverse("proposals:new"), {**NEW, "attachments": [uploads.fake()]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "不是 PDF、Word（DOCX）或 PNG/JPEG 图片" in html and NEW["title"] in html
    assert not Proposal.objects.exists() and not Attachment.objects.exists()


def test_a_file_over_the_size_limit_is_refused(web, member, uploads, settings):
    settings.JIANYAN_MAX_UPLOAD_BYTES = 1024 * 1024
    response = web(member).post(reverse("proposals:new"), {**NEW, "attachments": [uploads.pdf(size=1024 * 1024 + 1)]})
    assert response.status_code == 400
    assert "超过 1 MB 的大小上限" in response.content.decode()


def test_files_are_served_only_to_who_may_see_the_proposal(web, member, outsider, staff, uploads):
    web(member).post(reverse("proposals:new"), {**NEW, "attachments": [uploads.pdf()]})
    p = Proposal.objects.get()
    a = p.attachments.get()
    url = reverse("proposals:attachment", args=[p.pk, a.pk])
    assert web(outsider).get(url).status_code == 404
    assert web(staff).get(url).status_code == 404  # a draft is private to its author
    assert web().get(url).status_code == 302


# ---- editing -----------------------------------------------------------------------------------

def test_a_returned_proposal_is_edited_and_resubmitted(web, member, staff, build, uploads):
    p = proposals.return_proposal(build.submitted(member), actor=staff, note="请补充具体数据")
    client = web(member)
    form = client.get(reverse("proposals:edit", args=[p.pk]))
    assert form.status_code == 200 and "请补充具体数据" in form.content.decode()
    response = client.post(reverse("proposals:edit", args=[p.pk]), {
        "title": "关于加快传统产业改造升级的提案（修改稿）", "background": "补充了数据。",
        "suggestions": ["制定行动方案", "设立专项资金"], "version": str(p.version),
        "attachments": [uploads.png()], "submit": "1",
    })
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.state == "submitted" and p.title.endswith("（修改稿）") and p.attachments.count() == 1
    actions = list(AuditEvent.objects.filter(proposal=p).values_list("action", flat=True))
    assert actions[-3:] == ["proposal.edited", "attachment.added", "proposal.submitted"]


def test_a_stale_edit_is_refused_with_a_conflict_and_keeps_the_input(web, member, build):
    p = build.draft(member)
    response = web(member).post(reverse("proposals:edit", args=[p.pk]), {
        "title": "关于新标题的提案", "background": "", "suggestions": ["一条"], "version": str(p.version - 1 or 99),
    })
    assert response.status_code == 409
    html = response.content.decode()
    assert "提案已被修改，请刷新后再编辑" in html and "关于新标题的提案" in html


def test_removing_an_attachment_from_a_draft(web, member, build, uploads):
    client = web(member)
    client.post(reverse("proposals:new"), {**NEW, "attachments": [uploads.pdf()]})
    p = Proposal.objects.get()
    a = p.attachments.get()
    client.post(reverse("proposals:edit", args=[p.pk]), {
        "title": p.title, "background": p.background, "suggestions": p.suggestions, "version": str(p.version),
        "remove": [str(a.pk)],
    })
    assert not p.attachments.exists()
    assert AuditEvent.objects.filter(proposal=p, action="attachment.removed").exists()


def test_only_the_author_edits(web, member, cosigner, stage):
    p = stage.cosigning()
    assert web(cosigner).get(reverse("proposals:edit", args=[p.pk])).status_code == 403


def test_a_submitted_proposal_is_no_longer_editable(web, member, build):
    p = build.submitted(member)
    response = web(member).get(reverse("proposals:edit", args=[p.pk]), follow=True)
    assert "不能再修改" in response.content.decode()


# ---- co-signing --------------------------------------------------------------------------------

def test_the_co_signer_confirms_from_their_inbox(web, cosigner, stage):
    p = stage.cosigning()
    client = web(cosigner)
    html = client.get(reverse("workspace:home")).content.decode()
    assert "联名邀请" in html and p.title in html and "待您确认联名" in html
    response = client.post(act_url(p, "cosign"), {"accept": "1", "next": reverse("workspace:home")})
    assert response.status_code == 302 and response["Location"] == reverse("workspace:home")
    p.refresh_from_db()
    assert p.state == "submitted"
    assert AuditEvent.objects.filter(proposal=p, action="proposal.cosign_accepted", actor=cosigner).exists()


def test_the_co_signer_declines_and_no_longer_sees_the_proposal(web, cosigner, stage):
    p = stage.cosigning()
    web(cosigner).post(act_url(p, "cosign"), {"accept": "0"})
    assert Proposer.objects.get(proposal=p, user=cosigner).status == "declined"
    assert web(cosigner).get(detail_url(p)).status_code == 404


def test_answering_twice_is_refused_with_the_workflow_message(web, cosigner, stage):
    p = stage.cosigning()
    proposals.respond_to_cosign(p, actor=cosigner, accept=True)
    response = web(cosigner).post(act_url(p, "cosign"), {"accept": "1"})
    assert response.status_code == 409
    assert "不能执行“联名确认”" in response.content.decode()


# ---- the proposal page and evaluation ----------------------------------------------------------

def test_the_proposal_page_shows_the_timeline_assignment_consultation_and_reply(web, member, staff, stage, liaison):
    p = stage.handling()
    handling.record_consultation(p, actor=liaison, form="face_to_face", date="2024-03-05",
                                 participants="张委员、王科长", outcome="达成一致")
    handling.submit_reply(p, actor=liaison, result_class="A", body="我局已制定行动方案。", signer="王局长")
    handling.approve_reply(p, actor=staff)
    html = web(member).get(detail_url(p)).content.decode()
    for text in ("办理过程", "创建草稿", "交办情况", "市工信局", "主办", "沟通协商", "2024年3月5日", "达成一致",
                 "我局已制定行动方案。", "签发人：王局长", "评价办理情况"):
        assert text in html, text


def test_the_member_rates_the_reply_and_the_proposal_closes(web, member, cosigner, stage):
    p = stage.replied()
    html = web(member).get(detail_url(p)).content.decode()
    assert "评价办理情况" in html and "已制定行动方案" in html
    for user in (member, cosigner):
        response = web(user).post(act_url(p, "evaluate"), {"attitude": "satisfied", "result": "satisfied",
                                                           "comment": "满意"})
        assert response.status_code == 302
    p.refresh_from_db()
    assert p.state == "closed"
    assert AuditEvent.objects.filter(proposal=p, action="evaluation.recorded").count() == 2
    follow = web(member).get(detail_url(p)).content.decode()
    assert "提交评价" not in follow  # nothing left to do


def test_an_unsatisfied_rating_sends_the_proposal_to_rehandling(web, member, stage):
    p = stage.replied()
    response = web(member).post(act_url(p, "evaluate"), {"attitude": "satisfied", "result": "unsatisfied"},
                                follow=True)
    p.refresh_from_db()
    assert p.state == "rehandling" and p.round == 2
    assert "转承办单位重新办理" in response.content.decode()


def test_an_incomplete_rating_comes_back_with_the_message(web, member, stage):
    p = stage.replied()
    response = web(member).post(act_url(p, "evaluate"), {"attitude": "satisfied", "comment": "请加快"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "评价应为满意、基本满意或不满意" in html and "请加快" in html
    assert 'value="satisfied" checked' in html


def test_the_proposer_never_sees_the_units_quality_rating_or_co_opinion(web, member, stage, liaison, liaison2):
    p = stage.handling()
    handling.record_co_opinion(p, actor=liaison2, text="会办单位的内部意见")
    handling.rate_quality(p, actor=liaison, scores={d: 18 for d in ("science", "seriousness", "feasibility", "norm",
                                                                    "impact")}, comment="质量评语")
    html = web(member).get(detail_url(p)).content.decode()
    assert "会办单位的内部意见" not in html and "质量评语" not in html and "评议提案质量" not in html


def test_an_outsider_gets_404_for_the_page_and_every_action(web, outsider, stage):
    p = stage.replied()
    client = web(outsider)
    assert client.get(detail_url(p)).status_code == 404
    for action in ("evaluate", "submit", "register", "sign"):
        assert client.post(act_url(p, action), {}).status_code == 404
    assert "页面不存在或您无权查看" in client.get(detail_url(p)).content.decode()


def test_an_unknown_action_is_404(web, member, build):
    p = build.draft(member)
    assert web(member).post(act_url(p, "explode"), {}).status_code == 404


def test_actions_need_post(web, member, build):
    p = build.draft(member)
    assert web(member).get(act_url(p, "submit")).status_code == 405


def test_once_answered_the_proposer_is_asked_about_publication(web, member, staff, stage):
    consent = reverse("disclosure:consent", args=[stage.submitted().pk])
    assert consent not in web(member).get(detail_url(Proposal.objects.get())).content.decode()
    p = stage.replied(title="关于推进传统产业数字化改造的提案")
    url = reverse("disclosure:consent", args=[p.pk])
    assert url in web(member).get(detail_url(p)).content.decode()
    assert url not in web(staff).get(detail_url(p)).content.decode()
    assert web(member).get(url).status_code == 200
