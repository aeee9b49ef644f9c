"""Recording supervision activities (督办活动) of key proposals from the staff page and the leader's dashboard."""

import pytest
from django.urls import reverse

from jianyan.core.models import AuditEvent
from jianyan.supervision import workflow as supervision
from jianyan.supervision.models import SupervisionActivity


@pytest.fixture
def key(member, staff, leader, themes, session, build):
    p = build.registered(member, staff, themes[3], title="关于推动医养结合健康发展的提案")
    return supervision.designate_key_proposal(actor=staff, session=session, topic="推动医养结合健康发展",
                                              proposals=[p], lead_leader=leader)


def activity_url(key):
    return reverse("workspace:key_activity", args=[key.pk])


def test_the_lead_leader_records_an_activity_seen_on_both_pages(web, key, leader, staff):
    response = web(leader).post(activity_url(key), {"form": "survey", "date": "2025-05-20", "participants": "赵主席、市民政局",
                                                    "minutes": "实地调研养老机构", "back": "/dashboard/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/dashboard/"
    assert "督办活动已记录" in response.content.decode()
    activity = SupervisionActivity.objects.get()
    assert (activity.form, str(activity.date), activity.recorded_by) == ("survey", "2025-05-20", leader)
    assert AuditEvent.objects.filter(action="supervision.activity_recorded").count() == 1
    assert "实地调研养老机构" in web(staff).get(reverse("staff:key_proposals")).content.decode()


def test_a_bad_date_is_refused_with_a_message_and_records_nothing(web, key, staff):
    response = web(staff).post(activity_url(key), {"form": "forum", "date": "昨天"}, follow=True)
    assert "日期格式" in response.content.decode()
    assert not SupervisionActivity.objects.exists()


def test_others_cannot_record_or_even_see_the_key_proposal(web, key, member, outsider):
    for user in (member, outsider):
        assert web(user).post(activity_url(key), {"form": "forum", "date": "2025-05-20"}).status_code == 404
    assert not SupervisionActivity.objects.exists()
