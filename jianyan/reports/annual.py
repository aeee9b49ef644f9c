"""The annual report (提案工作情况报告) of a committee's year, after the structure of the Yangquan report
in shared/seed: the totals, one paragraph per theme (its count, representative proposals and what the
units did, taken from their replies), the year's working practices, and a table appendix.

Every headline figure comes from `year_statistics` (jianyan.reports.statistics), never recounted here.
The working-practice paragraph also names the year's key-proposal topics, consultations by form, quality
ratings and published proposals: `statistics.practice_statistics` counts them.
The prose is Django templates: the defaults in documents/templates/documents/annual/<section>.txt, which a
committee overrides section by section with a `ReportTemplate` in the admin."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.template import Context, Template, engines

from jianyan.documents.layout import Document
from jianyan.documents.models import ReportTemplate
from jianyan.handling.models import Assignment, Reply
from jianyan.people.models import Committee, Session, Theme
from jianyan.proposals.models import REGISTERED_STATES, Proposal, ProposerType
from jianyan.reports.statistics import practice_statistics, year_statistics

EXAMPLES_PER_THEME = 3
VERBS = ("落实", "采纳", "结合", "借鉴", "参考", "吸纳")
DEMO_NOTE = ("说明：本报告由“建言”平台根据演示数据自动生成。演示数据为系统合成，提案标题、内容、提案人和办理情况"
             "均非真实，不代表任何政协的实际工作。")
# A unit speaking of itself in its reply (我局会同…, 我们…) becomes the unit's name in the report.
SELF_REFERENCE = re.compile(r"^(我们|我(局|委|办|厅|部|中心|院|公司|单位))")


def pct(value: float) -> str:
    """0.9258 -> 92.58%, 1.0 -> 100%."""
    text = f"{value * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


@dataclass
class Example:
    title: str
    unit: str
    done: str
    verb: str


def what_the_unit_did(body: str, unit_name: str) -> str:
    """The first sentence of the reply's account of the work done: after “一、主要工作。” if the reply has
    that heading, else after “答复如下：”, else the reply's first sentence."""
    text = body or ""
    for marker in ("主要工作。", "主要工作：", "答复如下：", "答复如下:"):
        if marker in text:
            text = text.split(marker, 1)[1]
            break
    text = text.strip().lstrip("\u3000").strip()
    sentence = text.split("。", 1)[0].split("\n", 1)[0].strip("　 ")
    if not sentence:
        return ""
    sentence = SELF_REFERENCE.sub(unit_name, sentence)
    return sentence if sentence.startswith(unit_name) or sentence.startswith("我市") else unit_name + sentence


def theme_examples(committee: Committee, year: int) -> dict[int, list[Example]]:
    """Up to three representative proposals per theme, key proposals and A-class replies first, each with
    a different lead unit, and what that unit did. One query."""
    replies = (
        Reply.objects.filter(proposal__committee=committee, proposal__session__year=year,
                             proposal__state__in=REGISTERED_STATES, status=Reply.Status.APPROVED,
                             assignment__mode=Assignment.Mode.LEAD, is_supplementary=False)
        .select_related("proposal", "assignment__unit")
        .order_by("proposal__number", "round", "id")
    )
    candidates: dict[int, list[Reply]] = {}
    for r in replies:
        candidates.setdefault(r.proposal.theme_id, []).append(r)
    out: dict[int, list[Example]] = {}
    for theme_id, rows in candidates.items():
        rows.sort(key=lambda r: (not r.proposal.is_key, r.result_class != "A", r.proposal.number or 0))
        chosen, units = [], set()
        for r in rows:
            unit = r.assignment.unit
            if unit.pk in units or r.proposal.is_secret:
                continue
            done = what_the_unit_did(r.body, unit.name)
            if not done:
                continue
            units.add(unit.pk)
            chosen.append(Example(title=r.proposal.title, unit=unit.name, done=done, verb=VERBS[len(chosen) % 6]))
            if len(chosen) == EXAMPLES_PER_THEME:
                break
        out[theme_id] = chosen
    return out


def is_demo(committee: Committee, year: int) -> bool:
    """Built by `jianyan demo-data`: its proposals carry the demo label as their contact."""
    from jianyan.demo.builder import DEMO_CONTACT

    return Proposal.objects.filter(committee=committee, session__year=year, contact=DEMO_CONTACT).exists()


def section_template(committee: Committee, section: str) -> Template:
    """The committee's own template of the section if it has one, else the default file."""
    custom = ReportTemplate.objects.filter(committee=committee, section=section).first()
    if custom is not None:
        return Template(custom.body)
    return engines["django"].engine.get_template(f"documents/annual/{section}.txt")


def render_section(committee: Committee, section: str, context: dict) -> list[str]:
    """The section's paragraphs: one per non-empty line of the rendered template (plain text, not escaped:
    the document renderer escapes once for HTML)."""
    text = section_template(committee, section).render(Context(context, autoescape=False))
    return [line.strip() for line in text.splitlines() if line.strip()]


def sessions_label(committee: Committee, year: int) -> str:
    sessions = Session.objects.filter(term__committee=committee, year=year).select_related("term__committee")
    return "、".join(s.label for s in sessions.order_by("plenary_start")) or f"{committee.short_name}{year}年"


def report_context(committee: Committee, year: int) -> dict:
    stats = year_statistics(year=year, committee=committee)
    rates = {k: pct(v) for k, v in stats.items() if isinstance(v, int | float)
             and (k.endswith("_rate") or k in ("collective_share", "member_participation"))}
    rates.update({f"{dim}_{k}": pct(v) for dim, block in stats["satisfaction"].items()
                  for k, v in block.items() if k.endswith("rate") and isinstance(v, int | float)})
    return {"s": stats, "pct": rates, "committee": committee, "year": year, "next_year": year + 1,
            "sessions": sessions_label(committee, year), "facts": practice_statistics(year=year, committee=committee)}


def annual_report(*, year: int, committee) -> Document:
    """The report as a `Document`, ready for `render(..., "docx" | "pdf" | "md")`."""
    committee = committee if isinstance(committee, Committee) else Committee.objects.get(pk=committee)
    ctx = report_context(committee, year)
    stats = ctx["s"]
    doc = Document(template="annual", title=f"{committee.name}关于{year}年度提案工作情况的报告",
                   subtitle=f"（{year}年度）", filename=f"提案工作情况报告-{committee.code}-{year}")
    if is_demo(committee, year):
        doc.add("note", DEMO_NOTE)
    doc.add("heading", f"一、{year}年提案工作情况", level=1)
    for line in render_section(committee, "totals", ctx):
        doc.add("p", line)
    examples = theme_examples(committee, year)
    for theme in Theme.objects.filter(committee=committee).order_by("order", "id"):
        count = stats["by_category"].get(theme.name, 0)
        if not count:
            continue
        for line in render_section(committee, "theme", {**ctx, "theme": theme, "count": count,
                                                         "examples": examples.get(theme.pk, [])}):
            doc.add("p", line)
    doc.add("heading", "二、主要做法", level=1)
    for line in render_section(committee, "practices", ctx):
        doc.add("p", line)
    doc.add("heading", f"三、{year + 1}年工作思路", level=1)
    for line in render_section(committee, "closing", ctx):
        doc.add("p", line)
    appendix(doc, stats)
    return doc


def appendix(doc: Document, s: dict) -> None:
    """附表: the figures of the report, straight from year_statistics."""
    doc.add("pagebreak")
    doc.add("heading", "附表", level=1)
    doc.add("heading", "表1　提案总体情况", level=2)
    doc.add("table", headers=["项目", "数量", "项目", "比率"], rows=[
        ["收到提案", f"{s['received']}件", "立案率", pct(s["registration_rate"])],
        ["立案", f"{s['registered']}件", "集体提案占比", pct(s["collective_share"])],
        ["其中：集体提案", f"{s['collective']}件", "办复率", pct(s["replied_rate"])],
        ["　　　委员提案", f"{s['member']}件", "按期办复率", pct(s["on_time_rate"])],
        ["并案", f"{s['merged']}件", "办结率", pct(s["completion_rate"])],
        ["转为意见建议", f"{s['converted']}件", "满意率（办理结果）", pct(s["satisfaction_rate"])],
        ["不予立案", f"{s['not_registered']}件", "满意率（办理态度）", pct(s["satisfaction"]["attitude"]["rate"])],
        ["已答复", f"{s['replied']}件", "解决率", pct(s["solved_rate"])],
        ["按期办复", f"{s['on_time']}件", "采纳率", pct(s["adopted_rate"])],
        ["办结", f"{s['closed']}件", "委员参与率", pct(s["member_participation"])],
        ["重点提案", f"{s['key_proposals']}件", "收回评价", f"{s['evaluations_returned']}份"],
    ])
    registered = s["registered"]
    doc.add("heading", "表2　立案提案分主题情况", level=2)
    doc.add("table", headers=["主题", "件数", "占立案比例"], rows=[
        [name, str(n), pct(n / registered if registered else 0)] for name, n in s["by_category"].items()])
    doc.add("heading", "表3　提案者类型", level=2)
    types = dict(ProposerType.choices)
    doc.add("table", headers=["提案者类型", "件数"],
            rows=[[types.get(k, k), str(n)] for k, n in s["by_proposer_type"].items() if n])
    doc.add("heading", "表4　办理结果分类", level=2)
    doc.add("table", headers=["分类", "件数"], rows=[[f"{k}类", str(n)] for k, n in s["by_result_class"].items()])
    if s["not_registered_by_reason"]:
        doc.add("heading", "表5　不予立案理由", level=2)
        doc.add("table", headers=["理由代码", "件数"],
                rows=[[k or "（未注明）", str(n)] for k, n in s["not_registered_by_reason"].items()])
    if s["by_unit"]:
        doc.add("heading", "表6　承办单位办理情况", level=2)
        doc.add("table", headers=["承办单位", "主办", "会办", "分办", "已答复", "按期办复率", "满意率"], rows=[
            [u["unit"], str(u["lead"]), str(u["co"]), str(u["separate"]), str(u["replied"]),
             pct(u["on_time_rate"]), pct(u["satisfaction_rate"])] for u in s["by_unit"]])


__all__ = ["annual_report", "report_context", "theme_examples", "what_the_unit_did", "pct"]
