"""Extensions (延期): the unit asks before its deadline, staff approve within the caps or refuse."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jianyan.core.audit import AuditEvent
from jianyan.core.errors import InvalidInput, InvalidState, NotAllowed, NotFound
from jianyan.handling import workflow
from jianyan.handling.models import Extension
from jianyan.notifications.models import Notification

D = dt.date
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _summer_2024():
    with time_machine.travel(dt.datetime(2024, 7, 1, 10, tzinfo=TZ), tick=False):
        yield


@pytest.fixture
def handling_p(member, staff, themes, unit_gxj, liaison, build):
    p = build.assigned(member, staff, themes[0], [{"unit": unit_gxj.pk, "mode": "lead"}])
    return workflow.sign_assignment(p, actor=liaison)  # due 1 October → 8 October (National Day)


def test_unit_requests_and_staff_approve_an_extension(handling_p, liaison, staff):
    a = handling_p.assignments.get()
    assert a.due_date == D(2024, 10, 8)
    ext = workflow.request_extension(handling_p, actor=liaison, due_date="2024-11-08", reason="需会同多部门调研")
    assert (ext.status, ext.previous_due_date) == ("pending", D(2024, 10, 8))
    assert Notification.objects.filter(user=staff, kind="extension.requested").exists()
    workflow.decide_extension(handling_p, actor=staff, approve=True, note="同意")
    a.refresh_from_db()
    ext.refresh_from_db()
    assert a.due_date == D(2024, 11, 8) and ext.status == "approved" and ext.granted_due_date == D(2024, 11, 8)
    assert Notification.objects.filter(user=liaison, kind="extension.decided").exists()
    actions = set(AuditEvent.objects.filter(proposal=handling_p).values_list("action", flat=True))
    assert {"extension.requested", "extension.approved"} <= actions


def test_staff_may_grant_an_earlier_date_than_asked(handling_p, liaison, staff):
    workflow.request_extension(handling_p, actor=liaison, due_date="2024-11-08", reason="需调研")
    workflow.decide_extension(handling_p, actor=staff, approve=True, due_date="2024-10-31")
    assert handling_p.assignments.get().due_date == D(2024, 10, 31)


def test_an_extension_beyond_the_cap_is_refused_as_input(handling_p, liaison):
    with pytest.raises(InvalidInput) as err:  # 8 Oct + 1 month = 8 Nov is the limit
        workflow.request_extension(handling_p, actor=liaison, due_date="2024-11-11", reason="需调研")
    assert "2024年11月8日" in err.value.message
    with pytest.raises(InvalidInput):
        workflow.request_extension(handling_p, actor=liaison, due_date="2024-10-01", reason="需调研")
    with pytest.raises(InvalidInput):
        workflow.request_extension(handling_p, actor=liaison, due_date="下个月", reason="需调研")
    with pytest.raises(InvalidInput):
        workflow.request_extension(handling_p, actor=liaison, due_date="2024-11-01", reason=" ")
    assert not Extension.objects.exists()


def test_after_the_deadline_no_extension_can_be_requested(handling_p, liaison):
    with time_machine.travel(dt.datetime(2024, 10, 9, 9, tzinfo=TZ), tick=False), pytest.raises(InvalidState):
        workflow.request_extension(handling_p, actor=liaison, due_date="2024-11-08", reason="来不及")


def test_one_pending_request_at_a_time_and_refusal_needs_a_reason(handling_p, liaison, staff):
    workflow.request_extension(handling_p, actor=liaison, due_date="2024-11-01", reason="需调研")
    with pytest.raises(InvalidState):
        workflow.request_extension(handling_p, actor=liaison, due_date="2024-11-02", reason="再次申请")
    with pytest.raises(InvalidInput):
        workflow.decide_extension(handling_p, actor=staff, approve=False)
    ext = workflow.decide_extension(handling_p, actor=staff, approve=False, note="请按期办理")
    assert ext.status == "refused" and handling_p.assignments.get().due_date == D(2024, 10, 8)
    with pytest.raises(InvalidState):
        workflow.decide_extension(handling_p, actor=staff, approve=True)


def test_only_the_unit_requests_and_only_staff_decide(handling_p, liaison, liaison2, staff, member, outsider):
    with pytest.raises(NotAllowed):
        workflow.request_extension(handling_p, actor=member, due_date="2024-11-01", reason="x")
    with pytest.raises((NotAllowed, NotFound)):
        workflow.request_extension(handling_p, actor=liaison2, due_date="2024-11-01", reason="x")
    with pytest.raises(NotFound):
        workflow.request_extension(handling_p, actor=outsider, due_date="2024-11-01", reason="x")
    workflow.request_extension(handling_p, actor=liaison, due_date="2024-11-01", reason="需调研")
    with pytest.raises(NotAllowed):
        workflow.decide_extension(handling_p, actor=liaison, approve=True)


# ---- the pages ---------------------------------------------------------------------------------

def test_the_unit_asks_on_the_proposal_page_and_staff_decide_in_their_list(handling_p, liaison, staff, web):
    page = web(liaison).get(f"/proposals/{handling_p.pk}/").content.decode()
    assert "期限与延期" in page and "申请延期" in page and 'max="2024-11-08"' in page
    response = web(liaison).post(f"/deadlines/proposals/{handling_p.pk}/extension/",
                                 {"due_date": "2024-11-01", "reason": "需会同多部门调研"})
    assert response.status_code == 302
    ext = Extension.objects.get()
    listing = web(staff).get("/deadlines/extensions/").content.decode()
    assert "需会同多部门调研" in listing and "2024年11月1日" in listing
    response = web(staff).post(f"/deadlines/extensions/{ext.pk}/decide/",
                               {"approve": "1", "due_date": "2024-10-31", "next": "/deadlines/extensions/"})
    assert response.status_code == 302 and response.url == "/deadlines/extensions/"
    assert handling_p.assignments.get().due_date == D(2024, 10, 31)


def test_bad_input_on_the_page_shows_a_message_and_changes_nothing(handling_p, liaison, web):
    response = web(liaison).post(f"/deadlines/proposals/{handling_p.pk}/extension/",
                                 {"due_date": "2025-06-01", "reason": "需调研"}, follow=True)
    assert response.status_code == 200 and "延期不能超过2024年11月8日" in response.content.decode()
    assert not Extension.objects.exists()


def test_the_pages_refuse_outsiders_and_other_roles(handling_p, liaison, staff, member, outsider, web):
    assert web(outsider).post(f"/deadlines/proposals/{handling_p.pk}/extension/",
                              {"due_date": "2024-11-01", "reason": "x"}).status_code == 404
    assert web(member).post(f"/deadlines/proposals/{handling_p.pk}/extension/",
                            {"due_date": "2024-11-01", "reason": "x"}).status_code == 403
    assert web(member).get("/deadlines/extensions/").status_code == 403
    assert web(liaison).get(f"/deadlines/proposals/{handling_p.pk}/extension/").status_code == 405
    ext = workflow.request_extension(handling_p, actor=liaison, due_date="2024-11-01", reason="需调研")
    assert web(outsider).post(f"/deadlines/extensions/{ext.pk}/decide/", {"approve": "1"}).status_code == 404
    assert web(liaison).post(f"/deadlines/extensions/{ext.pk}/decide/", {"approve": "1"}).status_code == 403
    ext.refresh_from_db()
    assert ext.status == "pending"


def test_the_unit_inbox_and_staff_lists_show_the_deadline_badge(handling_p, liaison, staff, web):
    with time_machine.travel(dt.datetime(2024, 9, 27, 10, tzinfo=TZ), tick=False):  # 3 working days left
        inbox = web(liaison).get("/workspace/?tab=handling").content.decode()
        queue = web(staff).get("/staff/review/?state=all").content.decode()
    assert '<span class="badge warn"' in inbox and "临期" in inbox
    assert "临期" in queue
    with time_machine.travel(dt.datetime(2024, 10, 9, 10, tzinfo=TZ), tick=False):
        inbox = web(liaison).get("/workspace/?tab=handling").content.decode()
        overdue = web(staff).get("/deadlines/overdue/").content.decode()
    assert '<span class="badge danger"' in inbox and "超期" in inbox
    assert handling_p.title in overdue and "超期1个工作日" in overdue
