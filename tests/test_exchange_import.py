"""Importing past years' proposals from CSV/XLSX: every bad row reported with its number and reason, all or
nothing, idempotent, and imported proposals counted by the statistics like workflow-made ones."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError
from django.utils import timezone

from jianyan.core.models import AuditEvent
from jianyan.exchange import importer
from jianyan.exchange.importer import auto_mapping, import_file
from jianyan.exchange.models import ImportedProposal
from jianyan.handling.models import Assignment, Evaluation, Reply
from jianyan.people.models import Session, Term
from jianyan.proposals.models import Proposal, Proposer, State
from jianyan.reports.statistics import year_statistics

HEADER = "年度,案号,案由,提案人,提案者类型,主题,状态,主办单位,会办单位,答复日期,办理结果分类,办理态度评价,办理结果评价,办结日期,不予立案理由"
GOOD = [
    "2024,1,关于加快传统产业改造升级的提案,张委员、李委员,委员联名,产业转型,已办结,市工信局,市科技局,2024-05-10,A,满意,满意,2024-06-01,",
    "2024,2,关于优化营商环境的提案,民革阳泉市委员会,,营商环境与基层治理,已办结,市科技局,,2024-05-20,B,满意,基本满意,,",
    "2024,3,关于发展托育服务的提案,孙历史,委员个人,公共服务与民生,已答复,市工信局,,,C,,,,",
    "2024,,关于建设城市绿道的提案,周历史,委员个人,,不予立案,,,,,,,,R1",
    "2024,,关于整治小区停车的提案,吴历史,委员个人,,转意见建议,,,,,,,,",
]


def csv_bytes(lines, *, bom=True):
    text = "\r\n".join([HEADER, *lines]) + "\r\n"
    return (("\ufeff" if bom else "") + text).encode("utf-8")


@pytest.fixture
def history(committee, session, unit_gxj, unit_kjj, party, member, cosigner, staff):
    """The 2024 session (history) beside the current one, the cast's units, party and members."""
    term = Term.objects.get(committee=committee)
    return Session.objects.create(
        term=term, sitting=3, year=2024, plenary_start=dt.date(2024, 1, 8), plenary_end=dt.date(2024, 1, 11),
        submission_deadline=dt.datetime(2024, 1, 11, 4, tzinfo=dt.UTC), assignment_meeting_date=dt.date(2024, 3, 12),
    )


def run(content, committee, staff, name="history.csv", **kw):
    return import_file(content, name, committee=committee, actor=staff, **kw)


def counts():
    return (Proposal.objects.count(), Proposer.objects.count(), Assignment.objects.count(), Reply.objects.count(),
            Evaluation.objects.count(), AuditEvent.objects.count(), ImportedProposal.objects.count())


def test_the_headers_are_mapped_by_their_chinese_and_english_names():
    mapping = auto_mapping(["年度", "Title", "案 号", "承办单位", "备注", "background"])
    assert mapping == {0: "year", 1: "title", 2: "number", 3: "lead_units", 5: "background"}


def test_a_good_file_imports_every_row_in_its_final_state(history, committee, staff, member, cosigner, party):
    outcome = run(csv_bytes(GOOD), committee, staff)
    assert outcome.ok, outcome.errors
    assert outcome.imported == 5
    by_title = {p.title: p for p in Proposal.objects.filter(session=history)}
    joint = by_title["关于加快传统产业改造升级的提案"]
    assert (joint.state, joint.number, joint.theme.name, joint.proposer_type) == (State.CLOSED, 1, "产业转型", "joint")
    assert {(e.user_id, e.role, e.status) for e in joint.proposers.all()} == {
        (member.pk, "first", "accepted"), (cosigner.pk, "cosigner", "accepted")}
    assert {(a.unit.name, a.mode) for a in joint.assignments.all()} == {("市工信局", "lead"), ("市科技局", "co")}
    assert joint.evaluations.count() == 2  # each proposer rates, as evaluate_proposal would have them do
    collective = by_title["关于优化营商环境的提案"]
    assert (collective.organisation, collective.proposer_type) == (party, "party")
    assert by_title["关于建设城市绿道的提案"].reject_reason.code == "R1"
    assert by_title["关于发展托育服务的提案"].state == State.REPLIED
    assert history.__class__.objects.get(pk=history.pk).last_number == 3
    events = AuditEvent.objects.filter(action="proposal.imported")
    assert events.count() == 5 and all(e.data["imported"] for e in events)


def test_imported_proposals_count_in_the_statistics(history, committee, staff):
    run(csv_bytes(GOOD), committee, staff)
    s = year_statistics(year=2024, committee=committee)
    assert (s["received"], s["registered"], s["not_registered"], s["converted"]) == (5, 3, 1, 1)
    assert (s["replied"], s["closed"], s["on_time"]) == (3, 2, 3)
    assert s["by_result_class"] == {"A": 1, "B": 1, "C": 1}
    assert s["collective"] == 1 and s["by_category"]["产业转型"] == 1
    assert s["satisfaction"]["result"]["satisfied"] == 2 and s["satisfaction"]["result"]["basically_satisfied"] == 1
    assert s["not_registered_by_reason"] == {"R1": 1}
    assert s["unrated"] == 1  # the replied proposal's proposer has not rated (yet); the closed ones did


def test_imported_finished_proposals_show_at_once_in_the_staffs_counts(history, committee, staff):
    from jianyan.workspace.selectors import staff_overview

    before = staff_overview(staff)  # the finished counts are now cached for the committee
    assert (before["closed"], before["not_registered"], before["converted"]) == (0, 0, 0)
    run(csv_bytes(GOOD), committee, staff)
    after = staff_overview(staff)
    assert (after["closed"], after["not_registered"], after["converted"], after["replied"]) == (2, 1, 1, 1)


def test_one_bad_row_among_good_ones_rejects_the_file_and_changes_nothing(history, committee, staff):
    before = counts()
    bad = "2024,4,关于完善养老服务的提案,张委员,委员个人,公共服务与民生,已办结,市不存在局,,2024-05-10,A,满意,满意,,"
    outcome = run(csv_bytes([*GOOD[:2], bad, *GOOD[2:]]), committee, staff)
    assert outcome.errors == [(4, "未知承办单位“市不存在局”")]
    assert outcome.imported == 0
    assert counts() == before


def test_a_database_error_while_writing_undoes_the_chunks_written_before(history, committee, staff, monkeypatch):
    run(csv_bytes(GOOD[2:3]), committee, staff)  # number 3 of 2024 taken
    after_first = counts()
    forgetful = importer.Checker.__init__

    def forget_what_is_taken(self, committee):  # so that the clash reaches the database's unique index
        forgetful(self, committee)
        self.taken_numbers, self.imported_keys = set(), set()

    monkeypatch.setattr(importer.Checker, "__init__", forget_what_is_taken)
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    with pytest.raises(IntegrityError):
        run(csv_bytes(GOOD), committee, staff)  # rows 1-2 written, then row 3 (number 3) fails in the second chunk
    assert counts() == after_first
    assert run(csv_bytes(GOOD[3:]), committee, staff).imported == 2  # the connection is fine afterwards


def test_every_bad_row_is_reported_with_its_number_and_a_chinese_reason(history, committee, staff):
    rows = [
        "2024,1,,张委员,委员个人,产业转型,已办结,市工信局,,2024-05-10,A,,,,",  # 2: no title
        "2024,2,关于甲的提案,张委员,委员个人,不存在主题,已办结,市工信局,,2024-05-10,A,,,,",  # 3: theme
        "2024,3,关于乙的提案,张委员,委员个人,产业转型,已办结,市工信局,,2024-13-45,A,,,,",  # 4: date
        "2024,3,关于丙的提案,张委员,委员个人,产业转型,已办结,市工信局,,2024-05-10,A,,,,",  # 5: duplicate number
        "2024,5,关于丁的提案,张委员,委员个人,产业转型,作废,市工信局,,,,,,,",  # 6: state
        "2019,6,关于戊的提案,张委员,委员个人,产业转型,已办结,市工信局,,,A,,,,",  # 7: no session
        "2024,7,关于己的提案,张委员,委员个人,产业转型,已办结,市工信局,,,E,很好,,,",  # 8: class, evaluation
    ]
    outcome = run(csv_bytes(rows), committee, staff)
    reasons = dict(outcome.errors)
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7, 8]
    assert reasons[2] == "缺少案由"
    assert reasons[3] == "未知主题“不存在主题”"
    assert "答复日期“2024-13-45”不是有效日期" in reasons[4]
    assert reasons[5] == "案号与第4行重复"
    assert reasons[6].startswith("未知状态“作废”")
    assert reasons[7] == "2019年度没有会次，请先在系统中建立该年度的会次"
    assert "办理结果分类“E”，应为 A/B/C" in reasons[8] and "办理态度评价“很好”无效" in reasons[8]
    assert Proposal.objects.count() == 0


def test_a_number_taken_in_the_session_by_another_proposal_is_refused(history, committee, staff, member, themes):
    from jianyan.proposals import workflow

    p = workflow.create_proposal(actor=member, title="关于已有提案的提案", session=history,
                                    suggestions=["建议一"])
    p = workflow.submit_proposal(p, actor=member)
    workflow.register_proposal(p, actor=staff, theme=themes[0])  # takes number 1 of 2024
    outcome = run(csv_bytes(GOOD[:1]), committee, staff)
    assert outcome.errors == [(2, "案号1在2024年度已被系统中其他提案使用")]


def test_importing_the_same_file_twice_changes_nothing(history, committee, staff):
    first = run(csv_bytes(GOOD), committee, staff)
    after_first = counts()
    second = run(csv_bytes(GOOD), committee, staff)
    assert (first.imported, second.imported, second.skipped) == (5, 0, 5)
    assert counts()[:5] == after_first[:5]
    assert counts()[6] == after_first[6]


def test_a_dry_run_reports_but_writes_nothing(history, committee, staff):
    outcome = run(csv_bytes(GOOD), committee, staff, dry_run=True)
    assert outcome.ok and outcome.total == 5 and outcome.imported == 0
    assert Proposal.objects.count() == 0


def test_unknown_proposers_are_recorded_by_name(history, committee, staff):
    run(csv_bytes(GOOD[2:3]), committee, staff)
    p = Proposal.objects.get()
    assert p.imported_from.proposers == "孙历史"
    first = p.proposers.get()
    assert first.user.username == "历史提案人-yq" and not first.user.is_active
    assert not first.user.has_usable_password()


def test_gbk_csv_and_xlsx_import_too(history, committee, staff):
    from openpyxl import Workbook

    gbk = ("\r\n".join([HEADER, GOOD[0]]) + "\r\n").encode("gb18030")
    assert run(gbk, committee, staff, dry_run=True).ok
    book = Workbook()
    book.active.title = "往年提案"
    for line in [HEADER, GOOD[1]]:
        book.active.append([int(c) if c.isdigit() else c for c in line.split(",")])
    book.active["J2"] = dt.date(2024, 5, 20)  # a real Excel date cell, shown by its number format
    book.active["J2"].number_format = "yyyy年m月d日"
    book.active["B2"] = 2.0
    book.create_sheet("说明").append(["这张表不导入"])
    out = io.BytesIO()
    book.save(out)
    outcome = run(out.getvalue(), committee, staff, name="history.xlsx")
    assert outcome.ok and outcome.imported == 1, outcome.errors
    reply = Reply.objects.get()
    assert timezone.localtime(reply.written_at).date() == dt.date(2024, 5, 20)
    assert Proposal.objects.get().number == 2


def test_the_command_imports_with_a_progress_bar(history, committee, staff, tmp_path):
    path = tmp_path / "history.csv"
    path.write_bytes(csv_bytes(GOOD))
    out, err = io.StringIO(), io.StringIO()
    call_command("import", str(path), "--dry-run", stdout=out, stderr=err)
    assert "全部正确" in out.getvalue() and Proposal.objects.count() == 0
    call_command("import", str(path), stdout=out, stderr=err)
    assert "新导入 5 件提案" in out.getvalue() and "检查 [" in err.getvalue()
    assert Proposal.objects.count() == 5


def test_the_command_rejects_a_bad_file_with_the_row_numbers(history, committee, staff, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([GOOD[0], "2024,2,关于甲的提案,张委员,委员个人,产业转型,已办结,,,,A,,,,"]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 行有错误；未导入任何数据"):
        call_command("import", str(path), stdout=io.StringIO(), stderr=err)
    assert "第3行：状态为“已办结”的提案须有主办单位" in err.getvalue()
    assert Proposal.objects.count() == 0


def test_the_command_takes_a_column_mapping(history, committee, staff, tmp_path):
    path = tmp_path / "renamed.csv"
    path.write_bytes(csv_bytes(GOOD[:1]).replace("案由".encode(), "提案名称".encode(), 1))
    with pytest.raises(CommandError, match="缺少必需的列：案由"):
        call_command("import", str(path), "--dry-run", stdout=io.StringIO(), stderr=io.StringIO())
    out = io.StringIO()
    call_command("import", str(path), "--map", "提案名称=title", stdout=out, stderr=io.StringIO())
    assert Proposal.objects.get().title == "关于加快传统产业改造升级的提案"


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"", "empty.csv", "文件为空"),
    (b"not a zip at all", "fake.xlsx", "文件不是有效的 Excel（.xlsx）文件"),
    (b"PK\x03\x04garbage", "broken.xlsx", "文件不是有效的 Excel"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", "不支持旧版 Excel"),
    (b"\x00\x01\x02binary\x00", "x.csv", "文件不是文本表格"),
    (b"\xff\xfe\xfa\x80\x81" * 10, "x.csv", "无法识别 CSV 文件的编码"),
    (("年度,案由\r\n2024," + "长" * 200_000 + "\r\n").encode(), "huge.csv", "单元格"),
])
def test_garbage_files_give_a_chinese_message(history, committee, staff, tmp_path, content, name, message):
    from jianyan.exchange.reading import TableError

    with pytest.raises(TableError, match=message):
        run(content, committee, staff, name=name)
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import", str(path), stdout=io.StringIO(), stderr=io.StringIO())
