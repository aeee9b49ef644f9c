"""Exporters (as pretix does): each is a class whose `sheets()` yield a header row and rows; one renderer
turns any exporter into XLSX (Chinese headers, column widths, frozen header row) or CSV (UTF-8 with BOM,
so that Excel opens it without garbling the Chinese).

The catalogue (提案目录) is also the import format: its columns are the import fields' labels, so an
exported file imports again unchanged (the round trip)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import F, Prefetch
from django.utils import timezone

from jianyan.handling.models import Assignment, Evaluation, Reply
from jianyan.people.models import Committee, Unit
from jianyan.proposals.models import Proposal, Proposer, State

FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
LIST_SEPARATOR = "、"


@dataclass
class Sheet:
    title: str
    headers: list[str]
    widths: list[int]
    rows: Iterable[list]


def local_date(moment) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else ""


def joined(names: Iterable[str]) -> str:
    return LIST_SEPARATOR.join(n for n in names if n)


class Exporter:
    """Subclasses set `kind`, `title` and yield their sheets."""

    kind = ""
    title = ""

    def __init__(self, *, committee: Committee, year: int, unit: Unit | None = None):
        self.committee, self.year, self.unit = committee, year, unit

    def file_stem(self) -> str:
        unit = f"-{self.unit.name}" if self.unit else ""
        return f"{self.committee.short_name}{self.year}年{self.title}{unit}"

    def sheets(self) -> Iterator[Sheet]:  # pragma: no cover — abstract
        raise NotImplementedError


# ---- shared look-ups (a fixed number of queries for the whole year) -------------------------------

def year_proposals(committee: Committee, year: int):
    """The year's proposals with a review decision, in catalogue order: numbered ones by number, then the rest."""
    return (
        Proposal.objects.filter(committee=committee, session__year=year)
        .exclude(state__in=[State.DRAFT, State.COSIGNING, State.SUBMITTED, State.RETURNED])
        .select_related("session", "theme", "reject_reason", "organisation")
        .order_by("session__sitting", F("number").asc(nulls_last=True), "id")
    )


def proposer_names(proposals: list[Proposal]) -> dict[int, str]:
    """Each proposal's proposers as one text: as written in the imported file, else the first proposer and
    the co-signers who confirmed, in order."""
    from jianyan.exchange.models import ImportedProposal

    ids = [p.pk for p in proposals]
    names: dict[int, list[str]] = defaultdict(list)
    rows = (Proposer.objects.filter(proposal_id__in=ids, status=Proposer.Status.ACCEPTED)
            .select_related("organisation", "user__profile").order_by("proposal_id", "order", "id"))
    for entry in rows:
        names[entry.proposal_id].append(entry.name)
    out = {pk: joined(n) for pk, n in names.items()}
    out.update(dict(ImportedProposal.objects.filter(proposal_id__in=ids).values_list("proposal_id", "proposers")))
    return out


def latest_replies(proposal_ids: list[int]) -> dict[int, Reply]:
    """Each proposal's latest approved reply (highest round, then latest audit): its class is the proposal's."""
    latest: dict[int, Reply] = {}
    for r in Reply.objects.filter(proposal_id__in=proposal_ids, status=Reply.Status.APPROVED).order_by(
        "proposal_id", "round", "audited_at", "id"
    ):
        latest[r.proposal_id] = r
    return latest


def first_evaluations(proposal_ids: list[int]) -> dict[int, Evaluation]:
    """Each proposal's first proposer's latest evaluation (the one the catalogue shows)."""
    out: dict[int, Evaluation] = {}
    for e in Evaluation.objects.filter(proposal_id__in=proposal_ids, proposer__role=Proposer.Role.FIRST).order_by(
        "proposal_id", "round", "id"
    ):
        out[e.proposal_id] = e
    return out


def units_by_mode(proposal_ids: list[int]) -> dict[int, dict[str, list[str]]]:
    out: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for pid, mode, name in (Assignment.objects.filter(proposal_id__in=proposal_ids, is_active=True)
                            .order_by("proposal_id", "id").values_list("proposal_id", "mode", "unit__name")):
        out[pid][mode].append(name)
    return out


def due_dates(proposal_ids: list[int]) -> dict[int, str]:
    """Each proposal's due date (办理期限): that of its first replying assignment (lead or separate)."""
    out: dict[int, str] = {}
    for pid, due in (Assignment.objects.filter(proposal_id__in=proposal_ids, is_active=True)
                     .exclude(mode=Assignment.Mode.CO).order_by("proposal_id", "-id").values_list("proposal_id", "due_date")):
        out[pid] = due.isoformat()
    return out


def evaluation_label(e: Evaluation | None, dim: str) -> str:
    return Evaluation.Value(getattr(e, dim)).label if e else ""


# ---- 提案目录 ---------------------------------------------------------------------------------------

CATALOGUE_COLUMNS = [
    ("year", "年度", 8), ("number", "案号", 8), ("title", "案由", 48), ("proposers", "提案人", 24),
    ("proposer_type", "提案者类型", 12), ("theme", "主题", 14), ("state", "状态", 12),
    ("lead_units", "主办单位", 24), ("co_units", "会办单位", 24), ("due_on", "办理期限", 12), ("replied_on", "答复日期", 12),
    ("result_class", "办理结果分类", 8), ("attitude", "办理态度评价", 10), ("result", "办理结果评价", 10),
    ("closed_on", "办结日期", 12), ("reason", "不予立案理由", 10),
]


class CatalogueExporter(Exporter):
    """提案目录: one row per proposal of the year with a review decision; also the import format."""

    kind = "catalogue"
    title = "提案目录"

    def sheets(self) -> Iterator[Sheet]:
        yield Sheet(self.title, [c[1] for c in CATALOGUE_COLUMNS], [c[2] for c in CATALOGUE_COLUMNS], self.rows())

    def rows(self) -> Iterator[list]:
        proposals = list(year_proposals(self.committee, self.year))
        ids = [p.pk for p in proposals]
        names, replies = proposer_names(proposals), latest_replies(ids)
        evaluations, units, due = first_evaluations(ids), units_by_mode(ids), due_dates(ids)
        for p in proposals:
            reply, evaluation, plan = replies.get(p.pk), evaluations.get(p.pk), units.get(p.pk, {})
            yield [
                p.session.year, p.number or "", p.title, names.get(p.pk, ""), p.get_proposer_type_display(),
                p.theme.name if p.theme else "", p.get_state_display(),
                joined(plan.get(Assignment.Mode.LEAD, []) + plan.get(Assignment.Mode.SEPARATE, [])),
                joined(plan.get(Assignment.Mode.CO, [])), due.get(p.pk, ""),
                local_date(reply.written_at) if reply else "", reply.result_class if reply else "",
                evaluation_label(evaluation, "attitude"), evaluation_label(evaluation, "result"),
                local_date(p.closed_at), p.reject_reason.code if p.reject_reason else "",
            ]


# ---- 办理情况一览表 -----------------------------------------------------------------------------------

HANDLING_COLUMNS = [
    ("年度", 8), ("案号", 8), ("案由", 44), ("承办单位", 18), ("办理方式", 8), ("签收日期", 12),
    ("答复日期", 12), ("办理结果分类", 8), ("按期办复", 8), ("办理态度评价", 10), ("办理结果评价", 10), ("是否办结", 8),
]


class HandlingExporter(Exporter):
    """办理情况一览表: one row per active assignment of the year's registered proposals, optionally of one unit."""

    kind = "handling"
    title = "办理情况一览表"

    def sheets(self) -> Iterator[Sheet]:
        yield Sheet(self.title, [c[0] for c in HANDLING_COLUMNS], [c[1] for c in HANDLING_COLUMNS], self.rows())

    def assignments(self):
        qs = (Assignment.objects.filter(proposal__committee=self.committee, proposal__session__year=self.year,
                                        is_active=True)
              .select_related("unit", "proposal__session")
              .prefetch_related(Prefetch("replies", queryset=Reply.objects.filter(status=Reply.Status.APPROVED)
                                         .order_by("round", "audited_at", "id")))
              .order_by("proposal__session__sitting", F("proposal__number").asc(nulls_last=True), "proposal_id", "id"))
        return qs.filter(unit=self.unit) if self.unit else qs

    def rows(self) -> Iterator[list]:
        assignments = list(self.assignments())
        ids = sorted({a.proposal_id for a in assignments})
        evaluations = first_evaluations(ids)
        for a in assignments:
            p, replies = a.proposal, list(a.replies.all())
            reply = replies[-1] if replies else None
            first = next((r for r in replies if r.round == 1), None)
            replying = a.mode != Assignment.Mode.CO
            on_time = ""
            if replying:
                on_time = "是" if first and timezone.localtime(first.written_at).date() <= a.due_date else "否"
            evaluation = evaluations.get(p.pk) if replying else None
            yield [
                p.session.year, p.number or "", p.title, a.unit.name, a.get_mode_display(), local_date(a.signed_at),
                local_date(reply.written_at) if reply else "", reply.result_class if reply else "", on_time,
                evaluation_label(evaluation, "attitude"), evaluation_label(evaluation, "result"),
                "是" if p.state == State.CLOSED else "否",
            ]


# ---- 统计表 ---------------------------------------------------------------------------------------

def pct(x: float) -> str:
    return f"{x * 100:.2f}%"


class StatisticsExporter(Exporter):
    """The year's statistics (from reports.statistics, read only): the totals, by theme, by result class,
    by proposer type and by unit, one sheet each."""

    kind = "stats"
    title = "提案统计表"

    def sheets(self) -> Iterator[Sheet]:
        from jianyan.proposals.models import ProposerType
        from jianyan.reports.statistics import year_statistics

        s = year_statistics(year=self.year, committee=self.committee)
        totals = [
            ("收到提案（件）", s["received"]), ("立案（件）", s["registered"]), ("立案率", pct(s["registration_rate"])),
            ("集体提案（件）", s["collective"]), ("委员提案（件）", s["member"]),
            ("集体提案占比", pct(s["collective_share"])), ("不予立案（件）", s["not_registered"]),
            ("并案（件）", s["merged"]), ("转意见建议（件）", s["converted"]), ("已办复（件）", s["replied"]),
            ("办复率", pct(s["replied_rate"])), ("按期办复（件）", s["on_time"]), ("按期办复率", pct(s["on_time_rate"])),
            ("办结（件）", s["closed"]), ("办结率", pct(s["completion_rate"])),
            ("满意率（办理结果）", pct(s["satisfaction_rate"])),
            ("满意率（办理态度）", pct(s["satisfaction"]["attitude"]["rate"])),
            ("解决率", pct(s["solved_rate"])), ("采纳率", pct(s["adopted_rate"])),
            ("委员参与率", pct(s["member_participation"])), ("超期未复（件次）", s["overdue"]),
            ("重点提案（件）", s["key_proposals"]),
        ]
        yield Sheet("总体情况", ["指标", "数值"], [22, 12], [list(t) for t in totals])
        yield Sheet("按主题", ["主题", "立案（件）"], [16, 12], [[k, v] for k, v in s["by_category"].items()])
        yield Sheet("按办理结果分类", ["分类", "件数"], [10, 10], [[k, v] for k, v in s["by_result_class"].items()])
        types = dict(ProposerType.choices)
        yield Sheet("按提案者类型", ["提案者类型", "立案（件）"], [14, 12],
                    [[types.get(k, k), v] for k, v in s["by_proposer_type"].items()])
        yield Sheet("按承办单位", ["承办单位", "主办", "会办", "分办", "已答复", "按期办复率", "满意率"],
                    [20, 8, 8, 8, 8, 12, 10],
                    [[u["unit"], u["lead"], u["co"], u["separate"], u["replied"], pct(u["on_time_rate"]),
                      pct(u["satisfaction_rate"])] for u in s["by_unit"]])


EXPORTERS: dict[str, type[Exporter]] = {e.kind: e for e in (CatalogueExporter, HandlingExporter, StatisticsExporter)}
KIND_LABELS = {kind: e.title for kind, e in EXPORTERS.items()}


# ---- rendering ----------------------------------------------------------------------------------

def render(exporter: Exporter, fmt: str) -> bytes:
    """The exporter's sheets as XLSX or CSV bytes."""
    if fmt == "xlsx":
        return render_xlsx(exporter.sheets())
    if fmt == "csv":
        return render_csv(exporter.sheets())
    raise ValueError(fmt)


def render_xlsx(sheets: Iterable[Sheet]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for sheet in sheets:
        ws = book.create_sheet(sheet.title[:31])
        ws.append(sheet.headers)
        for cell in ws[1]:
            cell.font = bold
            cell.alignment = Alignment(horizontal="center", vertical="center")
        for i, width in enumerate(sheet.widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
        for row in sheet.rows:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render_csv(sheets: Iterable[Sheet]) -> bytes:
    """One table per sheet; a file of several sheets separates them with an empty line and the sheet's title."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    sheets = list(sheets)
    for i, sheet in enumerate(sheets):
        if len(sheets) > 1:
            if i:
                writer.writerow([])
            writer.writerow([f"【{sheet.title}】"])
        writer.writerow(sheet.headers)
        writer.writerows(sheet.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_file(*, kind: str, committee: Committee, year: int, fmt: str, unit: Unit | None = None,
                actor=None) -> tuple[str, bytes]:
    """Render one export and record it in the audit trail; returns (file name, content)."""
    from jianyan.core.audit import record

    exporter = EXPORTERS[kind](committee=committee, year=year, unit=unit)
    content = render(exporter, fmt)
    record(actor=actor, action="exchange.exported", committee=committee,
           data={"kind": kind, "year": year, "format": fmt, "unit": unit.name if unit else ""})
    return f"{exporter.file_stem()}.{fmt}", content
