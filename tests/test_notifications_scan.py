"""The daily deadline scan: a reminder N working days before, 催办 and escalation once overdue, never twice,
on the working-day calendar (the 2024 National Day week); and its scheduling on the task worker."""

import datetime as dt
import threading
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, connections

from jianyan.handling import workflow
from jianyan.notifications.models import Notification
from jianyan.people.models import Profile, Role
from jianyan.workdays import scan, tasks
from jianyan.workdays.models import SentReminder

D = dt.date
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _summer_2024():
    with time_machine.travel(dt.datetime(2024, 7, 1, 10, tzinfo=TZ), tick=False):
        yield


@pytest.fixture
def unit_leader(committee, unit_gxj):
    """The leader in charge of 工信局 (a leader profile attached to the unit)."""
    user = get_user_model().objects.create_user(username="leader_gxj", password="demo-pass-2024")
    Profile.objects.create(user=user, committee=committee, role=Role.LEADER, display_name="工信局分管领导", unit=unit_gxj)
    return user


@pytest.fixture
def handling_p(member, staff, themes, unit_gxj, liaison, build, unit_leader):
    p = build.assigned(member, staff, themes[0], [{"unit": unit_gxj.pk, "mode": "lead"}])
    return workflow.sign_assignment(p, actor=liaison)  # due 1 October → 8 October (National Day)


def kinds(user):
    return sorted(Notification.objects.filter(user=user, kind__startswith="deadline.").values_list("kind", flat=True))


def test_the_reminder_counts_working_days_and_is_sent_once(handling_p, liaison, committee):
    assert handling_p.assignments.get().due_date == D(2024, 10, 8)
    # Thursday 26 September: 12 calendar days but only 4 working days left (27, 29 调休, 30 Sep, 8 Oct)
    assert scan.scan_deadlines(on=D(2024, 9, 26)) == {"near_due": 0, "overdue": 0, "escalated": 0}
    assert scan.scan_deadlines(on=D(2024, 9, 27))["near_due"] == 1  # 3 left: 临期
    assert scan.scan_deadlines(on=D(2024, 9, 27))["near_due"] == 0  # the same day again
    assert scan.scan_deadlines(on=D(2024, 9, 30))["near_due"] == 0  # still near: already reminded
    assert kinds(liaison) == ["deadline.near_due"]
    text = Notification.objects.get(user=liaison, kind="deadline.near_due").text
    assert "2024年10月8日" in text and "还剩3个工作日" in text


def test_nothing_is_overdue_during_the_holiday_and_escalation_follows_the_first_late_day(
        handling_p, liaison, staff, unit_leader, member):
    assert scan.scan_deadlines(on=D(2024, 10, 7))["overdue"] == 0  # last day of the holiday, due the 8th
    assert scan.scan_deadlines(on=D(2024, 10, 8))["overdue"] == 0
    assert scan.scan_deadlines(on=D(2024, 10, 9)) == {"near_due": 0, "overdue": 1, "escalated": 1}
    assert kinds(liaison) == ["deadline.near_due", "deadline.overdue"]  # 7 Oct found it near first
    assert kinds(staff) == ["deadline.escalated"] and kinds(unit_leader) == ["deadline.escalated"]
    assert kinds(member) == []
    assert "市工信局" in Notification.objects.get(user=staff, kind="deadline.escalated").text


def test_running_the_scan_twice_sends_nothing_twice(handling_p, liaison, staff):
    first = scan.scan_deadlines(on=D(2024, 10, 10))
    second = scan.scan_deadlines(on=D(2024, 10, 10))
    later = scan.scan_deadlines(on=D(2024, 10, 20))
    assert first == {"near_due": 0, "overdue": 1, "escalated": 1}
    assert second == later == {"near_due": 0, "overdue": 0, "escalated": 0}
    assert Notification.objects.filter(kind__startswith="deadline.").count() == 3  # liaison, staff, unit leader
    assert SentReminder.objects.count() == 2


def test_an_extended_deadline_is_a_new_deadline_for_reminders(handling_p, liaison, staff):
    with time_machine.travel(dt.datetime(2024, 9, 27, 10, tzinfo=TZ), tick=False):
        scan.scan_deadlines()
        workflow.request_extension(handling_p, actor=liaison, due_date="2024-11-08", reason="需调研")
        workflow.decide_extension(handling_p, actor=staff, approve=True)
    assert scan.scan_deadlines(on=D(2024, 10, 9))["overdue"] == 0  # extended: not late any more
    assert scan.scan_deadlines(on=D(2024, 11, 5))["near_due"] == 1  # 6, 7, 8 Nov left
    assert scan.scan_deadlines(on=D(2024, 11, 11))["overdue"] == 1


def test_other_open_items_get_reminders_too(member, cosigner, staff, themes, unit_gxj, unit_kjj, liaison, liaison2,
                                            build, session):
    p = build.assigned(member, staff, themes[0], [{"unit": unit_gxj.pk, "mode": "lead"},
                                                  {"unit": unit_kjj.pk, "mode": "co"}])
    p = workflow.sign_assignment(p, actor=liaison2)  # the co unit signed; the lead has not
    submitted = build.submitted(member, title="关于完善社区养老服务的提案")
    items = {i.what: i for i in scan.open_items(p.committee)}
    assert items["签收"].due == D(2024, 7, 8)  # 1 July + 5 days = Saturday 6 July → Monday 8 July
    assert items["会办意见"].due == D(2024, 7, 29)  # 20 working days
    assert items["审查立案"].due == D(2024, 7, 15) and items["审查立案"].proposal == submitted
    sent = scan.scan_deadlines(on=D(2024, 7, 10))  # signing overdue; review: 11, 12, 15 July left
    assert sent == {"near_due": 1, "overdue": 1, "escalated": 1}
    assert kinds(liaison) == ["deadline.overdue"] and kinds(staff) == ["deadline.escalated", "deadline.near_due"]
    assert kinds(liaison2) == []
    sent = scan.scan_deadlines(on=D(2024, 7, 30))
    assert kinds(liaison2) == ["deadline.overdue"]  # no co-opinion by 29 July


def test_the_command_scans_and_reports(handling_p, liaison):
    out = StringIO()
    call_command("scan_deadlines", "--date", "2024-10-09", stdout=out)
    assert "超期催办 1 件" in out.getvalue()
    out = StringIO()
    call_command("scan_deadlines", "--date", "2024-10-09", stdout=out)
    assert "超期催办 0 件" in out.getvalue()


def test_the_daily_task_runs_the_scan_and_queues_exactly_one_next_scan(handling_p, liaison):
    from django_tasks_db.models import DBTaskResult

    with time_machine.travel(dt.datetime(2024, 10, 9, 7, 0, 5, tzinfo=TZ), tick=False):
        result = tasks.daily_scan.call()
        call_command("scan_deadlines", "--schedule", stdout=StringIO())  # `make run` does this: no second one
    assert result["overdue"] == 1
    [queued] = DBTaskResult.objects.filter(task_path=tasks.daily_scan.module_path, status="READY")
    assert queued.run_after == dt.datetime(2024, 10, 10, 7, tzinfo=TZ)
    assert tasks.next_scan_time(dt.datetime(2024, 10, 9, 6, tzinfo=TZ)) == dt.datetime(2024, 10, 9, 7, tzinfo=TZ)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL")
def test_two_scans_at_once_send_each_message_once(handling_p, liaison, staff):
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(scan.scan_deadlines(on=D(2024, 10, 9)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sum(r["overdue"] for r in results) == 1 and sum(r["escalated"] for r in results) == 1
    assert Notification.objects.filter(user=liaison, kind="deadline.overdue").count() == 1
    assert Notification.objects.filter(user=staff, kind="deadline.escalated").count() == 1
