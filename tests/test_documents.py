"""The official documents (公文) as DOCX and PDF, read back: python-docx for Word, pdftotext and pdffonts for
PDF (pdftotext returns Chinese characters only if the embedded font really has their glyphs)."""

import io
import subprocess
import time

import pytest
from django.core.management import call_command
from django.urls import reverse

from jianyan.documents import fonts, official
from jianyan.documents.checks import cjk_font_check
from jianyan.documents.render import render, to_html
from jianyan.handling import workflow as handling
from jianyan.proposals import workflow as proposals
from jianyan.proposals.models import Proposal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pdf_cache_in_tmp(settings, tmp_path):
    """Long PDFs are kept in a cache folder (jianyan.documents.render): a fresh one per test."""
    settings.DOCUMENTS_CACHE_DIR = tmp_path / "pdf-cache"


def docx_text(body: bytes) -> str:
    from docx import Document

    d = Document(io.BytesIO(body))
    parts = [p.text for p in d.paragraphs]
    parts += [c.text for t in d.tables for row in t.rows for c in row.cells]
    parts += [p.text for s in d.sections for p in s.footer.paragraphs]
    return "\n".join(parts)


def pdf_tool(tool: str, body: bytes, tmp_path, *args) -> str:
    path = tmp_path / f"doc-{time.monotonic_ns()}.pdf"
    path.write_bytes(body)
    command = [tool, *args, str(path), "-"] if tool == "pdftotext" else [tool, str(path)]
    out = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    return out.stdout


def pdf_text(body: bytes, tmp_path) -> str:
    return pdf_tool("pdftotext", body, tmp_path)


def assert_cjk_pdf(body: bytes, tmp_path, *phrases: str) -> str:
    assert body.startswith(b"%PDF")
    fonts_listed = pdf_tool("pdffonts", body, tmp_path)
    assert "CJK" in fonts_listed, fonts_listed
    text = pdf_text(body, tmp_path)
    flat = "".join(text.split())
    for phrase in phrases:
        assert "".join(phrase.split()) in flat, (phrase, text[:800])
    return text


def reject(p, staff):
    return proposals.reject_proposal(p, actor=staff, reason_code="R10", note="建议内容空泛，缺少可操作的具体措施。")


def evaluated(stage):
    p = stage.replied()
    handling.evaluate_proposal(p, actor=stage.member, attitude="satisfied", result="basically_satisfied")
    return Proposal.objects.get(pk=p.pk)


# ---- each document, both formats -----------------------------------------------------------------

def test_the_register_notice_names_the_number_and_the_units(stage, tmp_path):
    p = stage.assigned()
    doc = official.register_notice(p)
    text = docx_text(render(doc, "docx"))
    for phrase in ("政协阳泉市委员会提案委员会", "提案立案通知", f"阳政协提〔{p.session.year}〕1号", "张委员、李委员：",
                   p.title, "第0001号", "市工信局主办", "市科技局会办", "— ", " —"):
        assert phrase in text, phrase
    assert_cjk_pdf(render(doc, "pdf"), tmp_path, "提案立案通知", p.title, "张委员", "第0001号", "— 1 —")


def test_the_reject_notice_gives_the_coded_reason_and_the_reviewers_text(member, staff, build, tmp_path):
    p = reject(build.submitted(member, title="关于推荐某品牌净水器的提案"), staff)
    doc = official.reject_notice(p)
    text = docx_text(render(doc, "docx"))
    for phrase in ("提案不予立案告知书", "关于推荐某品牌净水器的提案", "R10 内容空泛、没有具体建议",
                   "建议内容空泛，缺少可操作的具体措施。", "张委员："):
        assert phrase in text, phrase
    assert_cjk_pdf(render(doc, "pdf"), tmp_path, "不予立案告知书", "R10", "内容空泛、没有具体建议", "缺少可操作的具体措施")


def test_the_assignment_notice_lists_each_unit_with_mode_and_due_date(stage, tmp_path):
    p = stage.assigned()
    doc = official.assignment_notice(p)
    due = p.assignments.get(unit=stage.unit_gxj).due_date
    text = docx_text(render(doc, "docx"))
    for phrase in ("提案交办通知", "阳泉市工业和信息化局", "阳泉市科学技术局", "主办", "会办",
                   f"{due.year}年{due.month}月{due.day}日", p.title):
        assert phrase in text, phrase
    assert_cjk_pdf(render(doc, "pdf"), tmp_path, "提案交办通知", "阳泉市工业和信息化局", "会办")


def test_the_reply_template_is_prefilled_for_the_unit_and_left_blank_for_its_text(stage, tmp_path):
    p = stage.handling()
    doc = official.reply_template(p, unit=stage.unit_gxj)
    text = docx_text(render(doc, "docx"))
    for phrase in ("阳泉市工业和信息化局", "签发人", "第0001号提案的答复", p.title, "现将办理情况答复如下",
                   "□A类", "抄送：政协阳泉市委员会提案委员会"):
        assert phrase in text, phrase
    assert "已制定行动方案" not in text  # the body is the unit's to write
    assert_cjk_pdf(render(doc, "pdf"), tmp_path, "阳泉市工业和信息化局", "答复如下", "办理结果分类")


def test_the_evaluation_form_has_both_dimensions_and_the_reply(stage, tmp_path):
    p = stage.replied()
    doc = official.evaluation_form(p)
    text = docx_text(render(doc, "docx"))
    for phrase in ("提案办理情况征询意见表", "办理态度", "办理结果", "□满意　□基本满意　□不满意", p.title,
                   "市工信局（主办）", "A类", "提案人签名"):
        assert phrase in text, phrase
    assert_cjk_pdf(render(doc, "pdf"), tmp_path, "征询意见表", "办理态度", "基本满意", "提案人签名")


def test_the_unit_list_holds_only_that_units_proposals_of_the_session(stage, session, tmp_path):
    first = stage.assigned(title="关于加快传统产业改造升级的提案")
    handling.assign_proposal(stage.registered(title="关于建设科技创新平台的提案"), actor=stage.staff,
                             units=[{"unit": stage.unit_kjj.pk, "mode": "lead"}])
    doc = official.unit_assignments(stage.unit_gxj, session)
    text = docx_text(render(doc, "docx"))
    assert "提案交办清单" in text and first.title in text and "阳泉市工业和信息化局" in text
    assert "关于建设科技创新平台的提案" not in text
    assert "共1件，其中主办1件" in text
    assert_cjk_pdf(render(doc, "pdf"), tmp_path, "提案交办清单", first.title)


def test_the_compilation_has_every_registered_proposal_and_a_table_of_contents_with_pages(
        stage, session, member, staff, build, tmp_path):
    titles = [f"关于推进第{i}项民生工程建设的提案" for i in range(1, 4)]
    for title in titles:
        stage.registered(title=title)
    reject(build.submitted(member, title="关于推荐某品牌净水器的提案"), staff)
    doc = official.compilation(session)
    assert [label.split("　", 1)[1] for _a, label in doc.toc] == titles
    text = docx_text(render(doc, "docx"))
    assert all(t in text for t in titles) and "净水器" not in text
    pdf = render(doc, "pdf")
    assert_cjk_pdf(pdf, tmp_path, "提案汇编", "目录", *titles, "情况分析", "具体建议")
    layout = pdf_tool("pdftotext", pdf, tmp_path, "-layout")
    toc_line = next(line for line in layout.splitlines() if titles[2] in line)
    assert toc_line.rstrip()[-1].isdigit(), toc_line  # target-counter filled in the page number


def test_the_html_names_the_fangsong_stack_with_the_noto_fallback(stage):
    html = to_html(official.register_notice(stage.registered()))
    assert 'lang="zh-CN"' in html
    assert '"FangSong", "仿宋"' in html and html.index('"FangSong"') < html.index('"Noto Serif CJK SC"')
    assert "37mm 26mm 35mm 28mm" in html and 'counter(page) " —"' in html


def test_the_docx_sets_the_east_asian_font(stage):
    from docx import Document
    from docx.oxml.ns import qn

    d = Document(io.BytesIO(render(official.register_notice(stage.registered()), "docx")))
    east_asia = {r._element.rPr.rFonts.get(qn("w:eastAsia")) for p in d.paragraphs for r in p.runs if r.text.strip()}
    assert east_asia and None not in east_asia
    assert east_asia <= {"Noto Serif CJK SC", "Noto Sans CJK SC", "黑体", "仿宋"}
    section = d.sections[0]
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28


# ---- the font check ------------------------------------------------------------------------------

def test_a_cjk_font_is_installed_here():
    assert fonts.cjk_font_available(), "fonts-noto-cjk is missing"
    assert cjk_font_check() == []


def test_without_a_cjk_font_the_check_warns_and_pdf_fails_clearly(monkeypatch, stage, tmp_path):
    monkeypatch.setattr(fonts, "cjk_font_families", lambda: ())
    warnings = cjk_font_check()
    assert [w.id for w in warnings] == ["documents.W001"] and "fonts-noto-cjk" in warnings[0].hint
    with pytest.raises(fonts.FontMissing, match="未找到中文字体"):
        render(official.register_notice(stage.registered()), "pdf")
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="未找到中文字体"):
        call_command("report", "annual", "--year", str(stage.registered(title="关于另一件事的提案").session.year),
                     "--format", "pdf", "-o", str(tmp_path / "r.pdf"))


# ---- downloads and who may have them -------------------------------------------------------------

def url(p, kind, fmt="docx"):
    return reverse("documents:proposal", kwargs={"pk": p.pk, "kind": kind, "fmt": fmt})


def test_proposers_download_their_letters(web, stage):
    p = stage.assigned()
    response = web(stage.member).get(url(p, "register_notice", "pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    response = web(stage.cosigner).get(url(p, "register_notice", "docx"))
    assert response.status_code == 200 and "提案立案通知" in docx_text(response.content)


def test_an_outsider_gets_404(web, stage, outsider):
    p = stage.assigned()
    for kind in official.KINDS:
        assert web(outsider).get(url(p, kind)).status_code == 404


def test_a_member_cannot_download_another_members_letters(web, member, cosigner, staff, themes, build):
    theirs = build.registered(cosigner, staff, themes[0], title="关于李委员自己的提案")
    assert web(member).get(url(theirs, "register_notice")).status_code == 404
    assert web(cosigner).get(url(theirs, "register_notice")).status_code == 200


def test_a_document_that_does_not_apply_to_the_state_or_the_viewer_is_404(web, stage, liaison, liaison2):
    p = stage.handling()
    assert web(stage.member).get(url(p, "reject_notice")).status_code == 404  # not rejected
    assert web(stage.member).get(url(p, "assignment_notice")).status_code == 404  # for units
    assert web(stage.member).get(url(p, "evaluation_form")).status_code == 404  # not replied yet
    assert web(liaison).get(url(p, "register_notice")).status_code == 404  # to the proposers
    assert web(liaison2).get(url(p, "reply_template")).status_code == 404  # a co unit does not reply
    assert web(liaison2).get(url(p, "assignment_notice")).status_code == 200
    body = web(liaison).get(url(p, "reply_template")).content
    assert "阳泉市工业和信息化局" in docx_text(body)


def test_bad_formats_and_kinds_are_404(web, stage):
    p = stage.registered()
    client = web(stage.staff)
    assert client.get(f"/documents/proposals/{p.pk}/register_notice.exe").status_code == 404
    assert client.get(f"/documents/proposals/{p.pk}/nonsense.pdf").status_code == 404
    assert client.get(f"/documents/proposals/{p.pk + 999}/register_notice.pdf").status_code == 404
    assert client.get(url(p, "register_notice", "md")).content.decode().startswith("**政协阳泉市委员会提案委员会**")


def test_anonymous_users_are_sent_to_log_in(web, stage):
    response = web().get(url(stage.registered(), "register_notice"))
    assert response.status_code == 302


def test_the_unit_list_is_for_the_unit_and_staff_only(web, stage, session, liaison, liaison2, member, outsider):
    stage.assigned()
    path = reverse("documents:unit_assignments", kwargs={"unit_pk": stage.unit_gxj.pk, "fmt": "docx"})
    assert web(liaison).get(path, {"session": session.pk}).status_code == 200
    assert web(stage.staff).get(path).status_code == 200
    for user in (liaison2, member, outsider):
        assert web(user).get(path).status_code == 404
    assert web(liaison).get(path, {"session": "x"}).status_code == 404


def test_the_compilation_is_for_staff_and_leaders(web, stage, session, leader, member, liaison, outsider):
    stage.registered()
    path = reverse("documents:compilation", kwargs={"pk": session.pk, "fmt": "docx"})
    assert web(stage.staff).get(path).status_code == 200
    assert web(leader).get(path).status_code == 200
    for user in (member, liaison, outsider):
        assert web(user).get(path).status_code == 404


def test_the_annual_report_is_for_staff_and_leaders(web, stage, session, leader, member, liaison, outsider):
    stage.replied()
    path = reverse("documents:annual", kwargs={"year": session.year, "fmt": "md"})
    assert web(stage.staff).get(path).status_code == 200
    assert "提案工作情况" in web(leader).get(path).content.decode()
    for user in (member, liaison, outsider):
        assert web(user).get(path).status_code == 404


def test_the_proposal_page_offers_the_documents_that_apply(web, stage, liaison, liaison2):
    p = stage.handling()
    staff_page = web(stage.staff).get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert "文书下载" in staff_page
    for kind in ("register_notice", "assignment_notice", "reply_template"):
        assert url(p, kind, "pdf") in staff_page, kind
    assert url(p, "reject_notice", "pdf") not in staff_page
    member_page = web(stage.member).get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert url(p, "register_notice", "docx") in member_page and url(p, "assignment_notice", "docx") not in member_page
    co_page = web(liaison2).get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert url(p, "assignment_notice", "pdf") in co_page and url(p, "reply_template", "pdf") not in co_page


def test_a_draft_offers_no_documents(web, member, build):
    p = build.draft(member)
    assert "文书下载" not in web(member).get(reverse("proposals:detail", args=[p.pk])).content.decode()


def test_a_long_pdf_is_kept_and_laid_out_again_only_when_its_content_changes(stage, session, settings, tmp_path,
                                                                             monkeypatch):
    from jianyan.documents import render as rendering

    settings.DOCUMENTS_CACHE_DIR = tmp_path / "cache"
    monkeypatch.setattr(rendering, "CACHE_OVER_CHARS", 0)
    stage.registered(title="关于推进第一项民生工程建设的提案")
    first = render(official.compilation(session), "pdf")
    assert len(list((tmp_path / "cache").glob("*.pdf"))) == 1

    def no_layout(html):
        raise AssertionError("laid out again")

    monkeypatch.setattr(rendering, "write_pdf", no_layout)
    assert render(official.compilation(session), "pdf") == first
    stage.registered(title="关于推进第二项民生工程建设的提案")
    with pytest.raises(AssertionError, match="laid out again"):
        render(official.compilation(session), "pdf")


def test_control_characters_in_a_title_do_not_break_word(member, staff, themes, build):
    p = build.registered(member, staff, themes[0])
    Proposal.objects.filter(pk=p.pk).update(title="关于\x0b改善\x01交通的提案")
    text = docx_text(render(official.register_notice(Proposal.objects.get(pk=p.pk)), "docx"))
    assert "关于改善交通的提案" in text


def test_the_annual_report_of_a_year_without_a_session_is_404(web, stage, session):
    stage.registered()
    path = reverse("documents:annual", kwargs={"year": session.year - 30, "fmt": "md"})
    assert web(stage.staff).get(path).status_code == 404


def test_an_admin_picks_the_committee_of_the_annual_report(web, stage, session, admin_user):
    stage.registered()
    path = reverse("documents:annual", kwargs={"year": session.year, "fmt": "md"})
    assert web(admin_user).get(path).status_code == 200  # the demo's code, yq, by default
    assert web(admin_user).get(path, {"committee": "zz"}).status_code == 404
