"""Exports (提案目录, 办理情况一览表, statistics) as XLSX and CSV from one exporter mechanism, and the round
trip: export, import into an empty committee, export again gives the same content."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from openpyxl import load_workbook

from jianyan.core.models import AuditEvent
from jianyan.exchange.exporters import export_file
from jianyan.exchange.importer import import_file
from jianyan.handling import workflow as handling
from jianyan.people.models import Committee, Organisation, Profile, Role, Session, Term, Unit
from jianyan.people.setup import seed_reason_codes, seed_themes
from jianyan.proposals import workflow as proposals
from jianyan.proposals.models import Proposal


@pytest.fixture
def year_of_work(stage, staff, member, cosigner, liaison, clerk, themes, unit_kjj, liaison2):
    """A closed joint proposal, one replied, a collective one in handling, one not registered, one converted."""
    p = stage.replied(title="关于加快传统产业改造升级的提案")
    handling.evaluate_proposal(p, actor=member, attitude="satisfied", result="satisfied")
    # The catalogue carries one evaluation per proposal (the first proposer's); the co-signer agrees here.
    handling.evaluate_proposal(p, actor=cosigner, attitude="satisfied", result="satisfied")
    stage.replied(title="关于建设智慧园区的提案")
    c = proposals.create_proposal(actor=clerk, title="关于发展数字经济的提案", suggestions=["建议"])
    c = proposals.register_proposal(proposals.submit_proposal(c, actor=clerk), actor=staff, theme=themes[1])
    handling.assign_proposal(c, actor=staff, units=[{"unit": unit_kjj.pk, "mode": "lead"}])
    r = proposals.create_proposal(actor=member, title="关于修建一条路的提案", suggestions=["建议"])
    proposals.reject_proposal(proposals.submit_proposal(r, actor=member), actor=staff, reason_code="R5")
    v = proposals.create_proposal(actor=member, title="关于小区路灯的提案", suggestions=["建议"])
    proposals.convert_proposal(proposals.submit_proposal(v, actor=member), actor=staff)
    return timezone.now().year


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(content: bytes) -> list[list]:
    book = load_workbook(io.BytesIO(content))
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def test_the_catalogue_lists_the_years_proposals(committee, year_of_work, staff):
    name, content = export_file(kind="catalogue", committee=committee, year=year_of_work, fmt="csv", actor=staff)
    rows = csv_rows(content)
    assert name == f"市政协{year_of_work}年提案目录.csv"
    assert rows[0][:8] == ["年度", "案号", "案由", "提案人", "提案者类型", "主题", "状态", "主办单位"]
    closed = next(r for r in rows if r[2] == "关于加快传统产业改造升级的提案")
    due = handling.default_due_date(Proposal.objects.get(title=closed[2])).isoformat()
    assert closed[1:] == ["1", "关于加快传统产业改造升级的提案", "张委员、李委员", "委员联名", "产业转型", "已办结",
                          "市工信局", "市科技局", due, timezone.localdate().isoformat(), "A", "满意", "满意",
                          timezone.localdate().isoformat(), ""]
    assert [r[6] for r in rows[1:]] == ["已办结", "已答复", "已交办", "不予立案", "转意见建议"]
    assert rows[3][3] == "民革阳泉市委员会" and rows[3][4] == "党派" and rows[3][7] == "市科技局"
    assert rows[4][1] == "" and rows[4][15] == "R5" and rows[5][15] == ""
    assert AuditEvent.objects.filter(action="exchange.exported", actor=staff, data__kind="catalogue").count() == 1


def test_the_xlsx_has_chinese_headers_widths_and_a_frozen_header(committee, year_of_work):
    _name, content = export_file(kind="handling", committee=committee, year=year_of_work, fmt="xlsx")
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet.title == "办理情况一览表" and sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "年度" and sheet["A1"].font.bold
    assert sheet.column_dimensions["C"].width == 44
    rows = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert rows[0][3:9] == ["市工信局", "主办", timezone.localdate().isoformat(), timezone.localdate().isoformat(),
                            "A", "是"]
    assert rows[1][3:5] == ["市科技局", "会办"] and rows[1][8] is None  # an empty cell


def test_the_handling_table_of_one_unit_has_only_its_rows(committee, year_of_work, unit_kjj):
    _name, content = export_file(kind="handling", committee=committee, year=year_of_work, fmt="csv", unit=unit_kjj)
    rows = csv_rows(content)[1:]
    assert {r[3] for r in rows} == {"市科技局"} and len(rows) == 3


def test_the_statistics_tables_come_from_the_statistics(committee, year_of_work):
    _name, content = export_file(kind="stats", committee=committee, year=year_of_work, fmt="xlsx")
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["总体情况", "按主题", "按办理结果分类", "按提案者类型", "按承办单位"]
    totals = {r[0]: r[1] for r in book["总体情况"].iter_rows(min_row=2, values_only=True)}
    assert (totals["收到提案（件）"], totals["立案（件）"], totals["办结（件）"]) == (5, 3, 1)
    _name, text = export_file(kind="stats", committee=committee, year=year_of_work, fmt="csv")
    assert "【按主题】" in text.decode("utf-8-sig")


def empty_twin(committee: Committee, year: int) -> Committee:
    """Another committee with the same reference data (themes, reasons, units, the party) and no proposals."""
    twin = Committee.objects.create(code="twin", name="空白政协", short_name="空白政协", place="空白")
    seed_reason_codes(twin)
    seed_themes(twin)
    for unit in Unit.objects.filter(committee=committee):
        Unit.objects.create(committee=twin, name=unit.name, full_name=unit.full_name)
    for org in Organisation.objects.filter(committee=committee):
        Organisation.objects.create(committee=twin, name=org.name, kind=org.kind)
    term = Term.objects.create(committee=twin, number=1, start_year=year)
    Session.objects.create(term=term, sitting=1, year=year, plenary_start=dt.date(year, 1, 5),
                           plenary_end=dt.date(year, 1, 8), submission_deadline=timezone.now())
    return twin


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_import_export_gives_the_same_content(committee, year_of_work, staff, fmt):
    _name, first = export_file(kind="catalogue", committee=committee, year=year_of_work, fmt=fmt)
    twin = empty_twin(committee, year_of_work)
    importer = Profile.objects.create(user=staff.__class__.objects.create(username="twin_staff"), committee=twin,
                                      role=Role.STAFF, display_name="空白政协工作人员").user
    outcome = import_file(first, f"目录.{fmt}", committee=twin, actor=importer)
    assert outcome.ok and outcome.imported == 5, outcome.errors
    _name, second = export_file(kind="catalogue", committee=twin, year=year_of_work, fmt=fmt)
    read = csv_rows if fmt == "csv" else xlsx_rows
    assert read(second) == read(first)
    if fmt == "csv":
        assert second == first


def test_the_command_exports_each_kind(committee, year_of_work, tmp_path, unit_kjj):
    out = io.StringIO()
    path = tmp_path / "目录.xlsx"
    call_command("export", "proposals", "--year", str(year_of_work), "--format", "xlsx", "-o", str(path), stdout=out)
    assert xlsx_rows(path.read_bytes())[0][0] == "年度" and "已导出" in out.getvalue()
    path = tmp_path / "办理.csv"
    call_command("export", "proposals", "--year", str(year_of_work), "--format", "csv", "--kind", "handling",
                 "--unit", "市科技局", "-o", str(path), stdout=out)
    assert len(csv_rows(path.read_bytes())) == 4
    call_command("export", "stats", "--year", str(year_of_work), "--format", "csv", "-o", str(tmp_path / "s.csv"),
                 stdout=out)
    assert (tmp_path / "s.csv").read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "pdf"], "格式应为 xlsx 或 csv"),
    (["--kind", "nope"], "--kind 应为"),
    (["--unit", "市科技局"], "--unit 只用于办理情况一览表"),
    (["--kind", "handling", "--unit", "市不存在局"], "没有名为“市不存在局”的承办单位"),
])
def test_the_command_explains_bad_options(committee, year_of_work, tmp_path, unit_kjj, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export", "proposals", "--year", str(year_of_work), "-o", str(tmp_path / "x"), *args,
                     stdout=io.StringIO())


def test_the_command_refuses_a_year_without_a_session(committee, year_of_work, tmp_path):
    with pytest.raises(CommandError, match="没有 1999 年的会次"):
        call_command("export", "proposals", "--year", "1999", "-o", str(tmp_path / "x"), stdout=io.StringIO())


def without_ids(value):
    """The statistics with the committee's code and database ids taken out, so two committees compare."""
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k not in ("committee", "unit_id", "id", "key")}
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value


def test_imported_proposals_give_the_same_statistics_as_the_workflow_made_ones(committee, year_of_work, staff):
    from jianyan.reports.statistics import year_statistics

    _name, catalogue = export_file(kind="catalogue", committee=committee, year=year_of_work, fmt="csv")
    twin = empty_twin(committee, year_of_work)
    for profile in Profile.objects.filter(committee=committee, role=Role.MEMBER):  # the same members by name
        user = staff.__class__.objects.create(username=f"twin_{profile.user.username}")
        Profile.objects.create(user=user, committee=twin, role=Role.MEMBER, display_name=profile.display_name)
    assert import_file(catalogue, "目录.csv", committee=twin, actor=staff).imported == 5
    made = without_ids(year_statistics(year=year_of_work, committee=committee))
    imported = without_ids(year_statistics(year=year_of_work, committee=twin))
    for stats in (made, imported):  # the two sessions have different names
        for row in stats.get("breakdowns", {}).get("session", []):
            row.pop("label")
    assert made["registered"] == 3 and made["closed"] == 1 and made["evaluations_returned"] == 2
    assert imported == made
