"""The annual report (提案工作情况报告): every number it states is year_statistics', in every format.
The demo's 2024 figures (418 / 387 / 53 / 334 / 100 %, themes 122 / 23 / 90 / 135 / 17) are checked in
tests/test_demo_data.py, which builds the demo once for its module."""

import io
import re
import subprocess

import pytest
from django.core.management import CommandError, call_command

from jianyan.documents.models import ReportTemplate
from jianyan.documents.render import render
from jianyan.handling import workflow as handling
from jianyan.proposals import workflow as proposals
from jianyan.proposals.models import Proposal
from jianyan.reports.annual import annual_report, pct, what_the_unit_did
from jianyan.reports.statistics import year_statistics

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pdf_cache_in_tmp(settings, tmp_path):
    """Long PDFs are kept in a cache folder (jianyan.documents.render): a fresh one per test."""
    settings.DOCUMENTS_CACHE_DIR = tmp_path / "pdf-cache"


def closed(stage, title):
    p = stage.replied(title=title)
    handling.evaluate_proposal(p, actor=stage.member, attitude="satisfied", result="satisfied")
    handling.evaluate_proposal(p, actor=stage.cosigner, attitude="satisfied", result="basically_satisfied")
    p = Proposal.objects.get(pk=p.pk)
    if p.state == "replied":
        p = handling.close_proposal(p, actor=stage.staff)
    return p


@pytest.fixture
def year(stage, member, clerk, staff, themes, unit_gxj, build, session):
    """A small year: two closed joint proposals, one collective proposal in handling, one registered under
    another theme, one not registered, one merged and one converted."""
    closed(stage, "关于加快传统产业改造升级的提案")
    closed(stage, "关于推动专精特新企业发展的提案")
    collective = build.registered(clerk, staff, themes[3], title="关于推进社区老年食堂建设的提案")
    handling.assign_proposal(collective, actor=staff, units=[{"unit": unit_gxj.pk, "mode": "lead"}])
    build.registered(member, staff, themes[2], title="关于擦亮城市文化名片的提案")
    proposals.reject_proposal(build.submitted(member, title="关于推荐某品牌净水器的提案"), actor=staff,
                              reason_code="R8", note="属于推介具体产品。")
    host = Proposal.objects.get(title="关于加快传统产业改造升级的提案")
    proposals.merge_proposal(build.submitted(member, title="关于传统产业技术改造的提案"), actor=staff, into=host)
    proposals.convert_proposal(build.submitted(member, title="关于小区路灯维修的提案"), actor=staff)
    return session.year


def md(year, committee) -> str:
    return render(annual_report(year=year, committee=committee), "md").decode("utf-8")


def table_rows(text: str, heading: str) -> list[list[str]]:
    """The body rows of the Markdown table under a heading."""
    block = text.split(heading, 1)[1].split("\n\n", 2)[1]
    return [[c.strip() for c in line.strip("|").split("|")] for line in block.splitlines()[2:]]


def test_every_number_of_the_md_report_is_year_statistics(year, committee):
    s = year_statistics(year=year, committee=committee)
    assert (s["received"], s["registered"], s["collective"], s["member"]) == (7, 4, 1, 3)  # the fixture holds
    text = md(year, committee)
    totals = re.search(r"共提出提案(\d+)件，立案(\d+)件。其中，集体提案(\d+)件，委员提案(\d+)件，办结率([\d.]+%)", text)
    assert totals.groups() == (str(s["received"]), str(s["registered"]), str(s["collective"]), str(s["member"]),
                               pct(s["completion_rate"]))
    first = text.split("## 二、")[0]
    counts = {v for k, v in s.items() if isinstance(v, int)}
    assert {int(n) for n in re.findall(r"(\d+)件(?!次)", first)} <= counts
    assert [int(n) for n in re.findall(r"此类提案(\d+)件", text)] == [n for n in s["by_category"].values() if n]
    assert f"办复率{pct(s['replied_rate'])}" in text and f"按期办复率{pct(s['on_time_rate'])}" in text
    overview = dict((r[0].strip("　：其中"), r[1]) for r in table_rows(text, "表1"))
    assert overview["收到提案"] == f"{s['received']}件" and overview["不予立案"] == f"{s['not_registered']}件"
    assert overview["并案"] == f"{s['merged']}件" and overview["转为意见建议"] == f"{s['converted']}件"
    rates = dict((r[2], r[3]) for r in table_rows(text, "表1"))
    assert rates["立案率"] == pct(s["registration_rate"]) and rates["满意率（办理结果）"] == pct(s["satisfaction_rate"])
    assert {r[0]: int(r[1]) for r in table_rows(text, "表2")} == s["by_category"]
    assert {r[0].rstrip("类"): int(r[1]) for r in table_rows(text, "表4")} == s["by_result_class"]
    assert {r[0]: int(r[1]) for r in table_rows(text, "表5")} == s["not_registered_by_reason"]
    units = {r[0]: [int(x) for x in r[1:5]] for r in table_rows(text, "表6")}
    assert units == {u["unit"]: [u["lead"], u["co"], u["separate"], u["replied"]] for u in s["by_unit"]}


def test_the_theme_paragraph_tells_what_the_unit_did_from_its_reply(year, committee):
    text = md(year, committee)
    assert "《关于加快传统产业改造升级的提案》等建议，市工信局" in text
    assert "已制定行动方案" in text  # the reply's words (conftest's Stage.reply_audit)


def test_a_committee_edits_the_prose_without_touching_the_numbers(year, committee):
    ReportTemplate.objects.create(committee=committee, section="totals",
                                  body="本年度收到提案{{ s.received }}件，立案{{ s.registered }}件，办结率{{ pct.completion_rate }}。")
    s = year_statistics(year=year, committee=committee)
    text = md(year, committee)
    assert f"本年度收到提案{s['received']}件，立案{s['registered']}件，办结率{pct(s['completion_rate'])}。" in text
    assert "广大政协委员" not in text  # the default paragraph is replaced, the others stay
    assert "此类提案" in text


def test_the_report_is_not_labelled_demo_unless_it_is(year, committee):
    assert "演示数据" not in md(year, committee)


def test_docx_and_pdf_state_the_same_numbers(year, committee, tmp_path):
    from docx import Document

    s = year_statistics(year=year, committee=committee)
    doc = annual_report(year=year, committee=committee)
    sentence = f"共提出提案{s['received']}件，立案{s['registered']}件。其中，集体提案{s['collective']}件"
    d = Document(io.BytesIO(render(doc, "docx")))
    assert sentence in "\n".join(p.text for p in d.paragraphs)
    path = tmp_path / "annual.pdf"
    path.write_bytes(render(doc, "pdf"))
    command = ["pdftotext", str(path), "-"]
    text = "".join(subprocess.run(command, capture_output=True, text=True, check=True).stdout.split())  # noqa: S603
    assert sentence in text and "附表" in text


def test_the_command_writes_each_format(year, committee, tmp_path):
    for fmt in ("md", "docx", "pdf"):
        out = tmp_path / f"report.{fmt}"
        call_command("report", "annual", "--year", str(year), "--format", fmt, "-o", str(out))
        assert out.stat().st_size > 1000
    assert "提案工作情况" in (tmp_path / "report.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("args, message", [
    (["annual", "--year", "abc", "-o", "x.md"], "年度无效"),
    (["annual", "--year", "1999", "-o", "x.md"], "没有 1999 年的会次"),
    (["annual", "--year", "{year}", "--format", "xls", "-o", "x.xls"], "不支持的格式"),
    (["yearly", "--year", "{year}", "-o", "x.md"], "未知的报告种类"),
    (["annual", "--year", "{year}", "--committee", "zz", "-o", "x.md"], "没有代码为“zz”的政协"),
    (["annual", "--year", "{year}", "--format", "pdf", "-o", "-"], "只有 md 格式"),
    (["annual", "--year", "{year}", "-o", "/nonexistent-dir/r.md"], "输出目录不存在"),
])
def test_the_command_refuses_bad_input_in_chinese(year, committee, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("report", *[a.format(year=year) for a in args])


def test_the_unit_speaks_in_its_own_name():
    body = "张委员：\n　　您提出的《x》收悉。现将办理情况答复如下：\n　　一、主要工作。我局会同有关部门制定行动方案，明确路线图。其余。"
    assert what_the_unit_did(body, "市工信局") == "市工信局会同有关部门制定行动方案，明确路线图"
    assert what_the_unit_did("已制定行动方案。", "市工信局") == "市工信局已制定行动方案"
