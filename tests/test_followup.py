"""Cross-year follow-up (跟踪问效): B/C replies open follow-up items for the next year, units post progress
and supplementary replies, proposers see it; key proposals are tracked over several years."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from jianyan.core.errors import InvalidInput, NotAllowed, NotFound
from jianyan.core.models import AuditEvent
from jianyan.handling import workflow as handling
from jianyan.notifications.models import Notification
from jianyan.supervision import selectors
from jianyan.supervision import workflow as supervision
from jianyan.supervision.models import FollowUp, ProgressUpdate


def replied_with(stage, result_class, title):
    p = stage.handling(title=title)
    handling.submit_reply(p, actor=stage.liaison, result_class=result_class, body="答复。", signer="王局长")
    return handling.approve_reply(p, actor=stage.staff)


@pytest.fixture
def this_year():
    return timezone.localdate().year


@pytest.fixture
def b_and_c(stage):
    """Three replied proposals of this year's session: classes A, B and C."""
    return {c: replied_with(stage, c, f"关于{c}类事项的提案") for c in "ABC"}


def test_b_and_c_replies_open_follow_up_items_next_year_once(b_and_c, staff, committee, liaison, this_year):
    created = supervision.open_follow_ups(actor=staff, committee=committee, year=this_year + 1)
    assert {(i.proposal_id, i.source) for i in created} == {
        (b_and_c["B"].pk, FollowUp.Source.CLASS_B), (b_and_c["C"].pk, FollowUp.Source.CLASS_C)}
    assert {i.unit.name for i in created} == {"市工信局"}  # the lead unit, not the co-handler
    assert Notification.objects.filter(user=liaison, kind="follow_up.opened").count() == 2
    assert supervision.open_follow_ups(actor=staff, committee=committee, year=this_year + 1) == []
    assert FollowUp.objects.count() == 2
    assert supervision.open_follow_ups(actor=staff, committee=committee, year=this_year) == []  # no replies last year


def test_the_latest_round_decides(stage, member, staff, liaison, committee, this_year):
    p = replied_with(stage, "B", "关于重新办理的提案")
    handling.evaluate_proposal(p, actor=member, attitude="satisfied", result="unsatisfied")
    handling.submit_reply(p, actor=liaison, result_class="A", body="已解决。", signer="王局长")
    handling.approve_reply(p, actor=staff)
    assert supervision.open_follow_ups(actor=staff, committee=committee, year=this_year + 1) == []


def test_the_unit_posts_progress_and_a_supplementary_reply(b_and_c, staff, committee, liaison, liaison2, member,
                                                           this_year):
    item = supervision.open_follow_ups(actor=staff, committee=committee, year=this_year + 1)[0]
    supervision.post_progress_update(item, actor=liaison, status="in_progress", percent=40, note="已完成方案编制")
    supervision.submit_supplementary_reply(item, actor=liaison, body="补充答复：资金已下达。", signer="王局长",
                                           doc_no="阳工信函〔2026〕3号", status="done", percent=100)
    item.refresh_from_db()
    assert (item.status, item.percent) == ("done", 100)
    assert list(item.updates.values_list("percent", "is_supplementary_reply")) == [(40, False), (100, True)]
    assert Notification.objects.filter(user=member, kind="follow_up.supplementary_reply").exists()
    assert AuditEvent.objects.filter(action="follow_up.progress", committee=committee,
                                     data__proposal=item.proposal_id).exists()
    # The proposer sees the progress on the proposal; the unit and staff see the item in their lists.
    assert [u.note for u in selectors.follow_ups_of(item.proposal)[0].updates.all()][-1] == "补充答复：资金已下达。"
    for user in (member, liaison, staff):
        assert item in selectors.follow_ups_visible_to(user)
    assert item not in selectors.follow_ups_visible_to(liaison2)


@pytest.mark.parametrize("status, percent", [("done", 80), ("bogus", 10), ("in_progress", 101),
                                             ("in_progress", "много"), ("in_progress", True)])
def test_bad_progress_changes_nothing(b_and_c, staff, committee, liaison, this_year, status, percent):
    item = supervision.open_follow_ups(actor=staff, committee=committee, year=this_year + 1)[0]
    with pytest.raises(InvalidInput):
        supervision.post_progress_update(item, actor=liaison, status=status, percent=percent, note="说明")
    assert not ProgressUpdate.objects.exists()


def test_only_the_unit_posts_progress(b_and_c, staff, committee, liaison2, member, outsider, this_year):
    item = supervision.open_follow_ups(actor=staff, committee=committee, year=this_year + 1)[0]
    with pytest.raises(NotAllowed):
        supervision.post_progress_update(item, actor=staff, status="in_progress", percent=10, note="说明")
    for user in (liaison2, member, outsider):
        with pytest.raises(NotFound):
            supervision.post_progress_update(item, actor=user, status="in_progress", percent=10, note="说明")
    with pytest.raises(NotAllowed):
        supervision.open_follow_ups(actor=liaison2, committee=committee, year=this_year + 1)


def test_a_key_proposal_is_tracked_over_several_years(stage, staff, leader, session, liaison, this_year):
    p = replied_with(stage, "A", "关于推动医养结合的提案")
    key = supervision.designate_key_proposal(actor=staff, session=session, topic="医养结合", proposals=[p],
                                             lead_leader=leader)
    for year in (this_year + 1, this_year + 2):
        items = supervision.track_key_proposal(key, actor=staff, year=year)
        assert [(i.year, i.source, i.unit.name) for i in items] == [(year, "key", "市工信局")]
    assert supervision.track_key_proposal(key, actor=staff, year=this_year + 1) == []
    assert list(key.follow_ups.values_list("year", flat=True).order_by("year")) == [this_year + 1, this_year + 2]
    with pytest.raises(InvalidInput):
        supervision.track_key_proposal(key, actor=staff, year=this_year)
    later = dt.datetime(this_year + 1, 6, 1, 10, tzinfo=dt.UTC)
    with time_machine.travel(later, tick=False):
        supervision.post_progress_update(key.follow_ups.get(year=this_year + 1), actor=liaison, status="in_progress", percent=60,
                                         note="第二年：新建医养结合机构两家")
    assert key.follow_ups.get(year=this_year + 1).percent == 60
