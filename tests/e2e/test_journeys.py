"""The whole life of a proposal, clicked through in Chromium by the demo users: member1 drafts with member2 as
co-signer, member2 confirms, staff1 registers and assigns (市工信局 lead, 市科技局 co), unit_kjj writes its
co-opinion, unit_gxj signs, consults and replies with its signed letter, staff1 approves, both members rate
满意 and it closes; the 不满意 → rehandling path; and 不予立案 with a coded reason."""

import re

import pytest
from playwright.sync_api import Page, expect

from jianyan.core.models import AuditEvent
from jianyan.handling import workflow as handling
from jianyan.proposals.models import Proposal

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = {"name": "调研报告.pdf", "mimeType": "application/pdf",
       "buffer": b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"}
LETTER = {"name": "答复函（签发件）.pdf", "mimeType": "application/pdf",
          "buffer": b"%PDF-1.4\n% signed reply letter\n%%EOF\n"}
TITLE = "关于加快传统产业数字化改造的提案"


def message(page: Page):
    return page.locator(".messages")


def open_proposal(page: Page, title: str):
    page.get_by_role("link", name=title).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def rate(page: Page, attitude: str, result: str, comment: str = ""):
    page.get_by_role("group", name="办理态度").get_by_label(attitude, exact=True).check()
    page.get_by_role("group", name="办理结果").get_by_label(result, exact=True).check()
    if comment:
        page.get_by_label("意见和建议（可选）").fill(comment)
    page.get_by_role("button", name="提交评价").click()


def test_from_first_draft_to_closed(site, member, cosigner, staff, liaison, liaison2, leader, themes,
                                    unit_gxj, unit_kjj):
    # member1 writes the proposal with member2 as co-signer, attaches a file and submits.
    m1 = site.login("member1")
    site.shot(m1, "member1-workspace-1280")
    m1.get_by_role("link", name="撰写提案").first.click()
    m1.get_by_label("案由（标题）").fill(TITLE)
    m1.get_by_label("情况分析").fill("我市传统产业占比较高，数字化改造投入不足，中小企业“不会转、不敢转”。")
    m1.get_by_label("第1条建议").fill("制定传统产业数字化改造行动方案")
    m1.get_by_label("第2条建议").fill("设立技术改造专项资金")
    m1.get_by_label("联名委员1").fill("member2")
    m1.get_by_label("上传文件").set_input_files([PDF])
    m1.get_by_role("button", name="保存并提交").click()
    expect(message(m1)).to_contain_text("已邀请联名人确认")
    expect(m1.locator(".page-head .badge").first).to_have_text("待联名")
    expect(m1.get_by_role("link", name="调研报告.pdf")).to_be_visible()
    p = Proposal.objects.get(title=TITLE)
    assert p.state == "cosigning"

    # member2 confirms from the inbox on their workspace.
    m2 = site.login("member2")
    expect(m2.get_by_role("heading", name=re.compile("联名邀请"))).to_be_visible()
    m2.get_by_role("button", name="同意联名").click()
    expect(message(m2)).to_contain_text("您已答复联名邀请。该提案已提交审查。")

    # staff1 registers it from the review queue and assigns it.
    s = site.login("staff1")
    site.shot(s, "staff1-workspace-1280")
    s.get_by_role("navigation", name="主导航").get_by_role("link", name="提案审查").click()
    site.shot(s, "staff1-review-queue-1280")
    open_proposal(s, TITLE)
    expect(s.get_by_role("heading", name="相似提案与建议")).to_be_visible()
    s.get_by_label("提案主题").select_option(label=f"{themes[0].name}（经济建设）")
    s.get_by_role("button", name="立案并编号").click()
    expect(message(s)).to_contain_text("已立案，案号第0001号")
    s.get_by_label("主办单位").select_option(label="市工信局")
    s.get_by_role("group", name="会办单位（可多选）").get_by_label("市科技局").check()
    s.get_by_role("button", name="交办", exact=True).click()
    expect(message(s)).to_contain_text("已交办")
    p.refresh_from_db()
    assert p.state == "assigned"

    # unit_kjj signs and writes its co-handling opinion for the lead unit.
    kjj = site.login("unit_kjj")
    open_proposal(kjj, TITLE)
    kjj.get_by_role("button", name="签收").click()
    expect(message(kjj)).to_contain_text("已签收")
    kjj.get_by_label("会办意见").fill("建议统筹省级技改资金，科技局可支持数字化服务商认定。")
    kjj.get_by_role("button", name="提交会办意见").click()
    expect(message(kjj)).to_contain_text("会办意见已送主办单位")

    # unit_gxj signs, records a consultation with the proposer and replies with the signed letter.
    gxj = site.login("unit_gxj")
    site.shot(gxj, "unit_gxj-workspace-1280")
    open_proposal(gxj, TITLE)
    gxj.get_by_role("button", name="签收").click()
    expect(message(gxj)).to_contain_text("已签收，请按期办理")
    expect(gxj.get_by_text("建议统筹省级技改资金")).to_be_visible()
    gxj.locator("#action-consult summary").click()
    gxj.get_by_label("协商形式").select_option(label="面谈")
    gxj.get_by_label("参加人员").fill("张委员、工信局王科长")
    gxj.get_by_label("协商结果").fill("就行动方案和资金安排达成一致")
    gxj.get_by_role("button", name="保存协商记录").click()
    expect(message(gxj)).to_contain_text("沟通协商情况已记录")
    gxj.get_by_role("group", name="办理结果分类").get_by_label("A 类").check()
    gxj.get_by_label("文号（可选）").fill("阳工信函〔2025〕1号")
    gxj.get_by_label("答复正文").fill("我局已会同市科技局制定传统产业数字化改造行动方案，设立技改专项资金。")
    gxj.get_by_label("签发人").fill("王局长")
    gxj.get_by_label("签发的答复函（扫描件，可选）").set_input_files([LETTER])
    gxj.get_by_role("button", name="提交答复，送审核").click()
    expect(message(gxj)).to_contain_text("答复已提交")
    p.refresh_from_db()
    assert p.state == "reply_audit"

    # staff1 reads the reply and approves it.
    s.get_by_role("navigation", name="主导航").get_by_role("link", name="答复审核").click()
    open_proposal(s, TITLE)
    expect(s.get_by_text("我局已会同市科技局制定")).to_be_visible()
    s.get_by_role("button", name="审核通过").click()
    expect(message(s)).to_contain_text("答复已审核通过。已请提案人评价。")

    # Both members rate 满意; the proposal is closed.
    m1.goto("/workspace/")
    expect(m1.get_by_text("待您评价办理情况")).to_be_visible()
    open_proposal(m1, TITLE)
    expect(m1.get_by_role("link", name="答复函（签发件）.pdf")).to_be_visible()
    rate(m1, "满意", "满意", "办理认真，措施具体。")
    expect(message(m1)).to_contain_text("感谢您的评价")
    m2.goto(f"/proposals/{p.pk}/")
    rate(m2, "满意", "满意")
    expect(message(m2)).to_contain_text("该提案已办结")
    expect(m2.locator(".page-head .badge").first).to_have_text("已办结")
    p.refresh_from_db()
    assert p.state == "closed"
    assert list(AuditEvent.objects.filter(proposal=p).values_list("to_state", flat=True).distinct()).count("closed")

    # The leader's dashboard shows the year's numbers.
    ld = site.login("leader1")
    expect(ld.get_by_role("heading", name=re.compile("领导看板"))).to_be_visible()
    expect(ld.locator("[data-chart=themes-data] canvas")).to_be_visible()
    site.shot(ld, "leader1-dashboard-1280")


def test_unsatisfied_rating_sends_it_back_for_rehandling(site, stage, member, cosigner, staff, liaison):
    p = stage.replied(title=TITLE)

    m1 = site.login("member1")
    m1.goto(f"/proposals/{p.pk}/")
    rate(m1, "基本满意", "不满意", "答复较为原则，缺少时间表。")
    expect(message(m1)).to_contain_text("转承办单位重新办理")
    expect(m1.locator(".page-head .badge").first).to_have_text("重新办理")

    gxj = site.login("unit_gxj")
    gxj.get_by_role("link", name=re.compile("待重新办理")).click()
    open_proposal(gxj, TITLE)
    expect(gxj.get_by_text("答复较为原则，缺少时间表。")).to_have_count(0)  # the unit cannot read the comment
    gxj.get_by_role("group", name="办理结果分类").get_by_label("B 类").check()
    gxj.get_by_label("答复正文").fill("经重新研究，已将资金安排列入明年预算，并明确了时间表。")
    gxj.get_by_label("签发人").fill("王局长")
    gxj.get_by_role("button", name="提交答复，送审核").click()
    expect(message(gxj)).to_contain_text("答复已提交")

    s = site.login("staff1")
    s.goto(f"/proposals/{p.pk}/")
    s.get_by_role("button", name="审核通过").click()
    expect(message(s)).to_contain_text("已请提案人评价")

    m1.goto(f"/proposals/{p.pk}/")
    rate(m1, "满意", "满意")
    handling.evaluate_proposal(Proposal.objects.get(pk=p.pk), actor=cosigner, attitude="satisfied",
                               result="satisfied")
    m1.reload()
    expect(m1.locator(".page-head .badge").first).to_have_text("已办结")
    p.refresh_from_db()
    assert (p.state, p.round) == ("closed", 2)


def test_not_registered_with_a_coded_reason(site, stage, member, staff):
    p = stage.submitted(title="关于为本人子女解决工作问题的提案")

    s = site.login("staff1")
    s.goto("/staff/review/")
    open_proposal(s, p.title)
    s.locator("#action-reject summary").click()
    expect(s.get_by_label("不予立案理由")).to_have_attribute("required", "")  # the browser asks for a reason first
    s.get_by_label("不予立案理由").select_option("R7")
    s.get_by_label("致提案人的说明函").fill("所提事项属个人诉求，建议通过信访渠道反映。")
    s.get_by_role("button", name="不予立案").click()
    expect(message(s)).to_contain_text("已作不予立案处理")
    expect(s).to_have_url(re.compile(r"/staff/review/$"))

    m1 = site.login("member1")
    m1.goto("/notifications/")
    m1.get_by_role("link", name=re.compile("不予立案")).first.click()
    expect(m1.locator(".page-head .badge").first).to_have_text("不予立案")
    expect(m1.get_by_text("R7 为本人或亲属解决个人问题")).to_be_visible()
    expect(m1.get_by_text("建议通过信访渠道反映").first).to_be_visible()
    p.refresh_from_db()
    assert p.state == "not_registered" and p.reject_reason.code == "R7"
