"""A member's performance record (履职档案): proposals, registration rate, quality scores (only once the
two-way evaluation is complete), co-signing, key and excellent proposals."""

from django.contrib.auth import get_user_model

from jianyan.handling import workflow as handling
from jianyan.people.models import Profile, Role
from jianyan.proposals import workflow as proposals
from jianyan.supervision import selectors
from jianyan.supervision import workflow as supervision

SCORES = {"science": 18, "seriousness": 18, "feasibility": 18, "norm": 18, "impact": 18}


def make_user(username, committee, role, name, **profile):
    """Like the conftest helper (which cannot be imported by name: tests/e2e has a conftest too)."""
    user = get_user_model().objects.create_user(username=username, password="x")
    Profile.objects.create(user=user, committee=committee, role=role, display_name=name, **profile)
    return user



def test_the_record_counts_proposals_registration_quality_and_cosigning(stage, member, cosigner, staff, liaison,
                                                                        committee, build):
    replied = stage.replied(title="关于甲的提案")
    handling.rate_quality(replied, actor=liaison, scores=SCORES)
    stage.registered(title="关于乙的提案")
    rejected = stage.submitted(title="关于丙的提案")
    proposals.reject_proposal(rejected, actor=staff, reason_code="R1")
    build.draft(member, title="关于丁的提案")  # a draft is not part of the record

    record = selectors.member_record(member)
    assert (record["total"], record["registered"], record["registration_rate"]) == (3, 2, 0.667)
    assert record["quality_average"] is None  # the proposer has not rated yet: the unit's score stays hidden
    handling.evaluate_proposal(replied, actor=member, attitude="satisfied", result="satisfied")
    record = selectors.member_record(member)
    assert (record["quality_average"], record["quality_rated"]) == (90.0, 1)
    assert dict(record["quality_dimensions"])["科学性"] == 18.0
    assert {p.title: p.quality_score for p in record["proposals"]}["关于甲的提案"] == 90

    assert selectors.member_record(cosigner)["cosigned"] == 3  # co-signed the member's three proposals
    assert selectors.member_record(cosigner)["total"] == 0


def test_the_record_shows_key_and_excellent_proposals_and_filters_by_year(stage, member, staff, liaison, session,
                                                                         committee, leader):
    p = stage.replied()
    supervision.designate_key_proposal(actor=staff, session=session, topic="专题", proposals=[p], lead_leader=leader)
    n = supervision.nominate_excellent(p, actor=staff, reason="成效显著", year=session.year)
    supervision.review_excellent(n, actor=staff, decision="shortlist")
    supervision.review_excellent(n, actor=staff, decision="select")
    supervision.publish_excellent(actor=staff, committee=committee, year=session.year)
    record = selectors.member_record(member, year=session.year)
    assert (record["key"], record["excellent"]) == (1, 1)
    assert selectors.member_record(member, year=session.year - 1)["total"] == 0


def test_the_record_page_is_the_members_own_or_for_staff(web, stage, member, staff, cosigner, outsider, liaison):
    stage.registered()
    page = web(member).get("/supervision/record/")
    assert page.status_code == 200 and "履职档案" in page.content.decode()
    assert web(staff).get(f"/supervision/record/{member.pk}/").status_code == 200
    assert web(cosigner).get(f"/supervision/record/{member.pk}/").status_code == 403  # staff and leaders only
    other_staff = make_user("staff_jq", outsider.profile.committee, Role.STAFF, "外区提案委")
    assert web(other_staff).get(f"/supervision/record/{member.pk}/").status_code == 404
    assert web(staff).get(f"/supervision/record/{staff.pk}/").status_code == 404  # not a member
    assert web(liaison).get("/supervision/record/").status_code == 403
