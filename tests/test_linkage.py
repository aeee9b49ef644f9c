"""City–county linkage (市县联动): one platform, data isolated per committee for every role; a proposal
transferred between levels keeps its origin and history on both sides; the city sees combined statistics."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from jianyan.core.access import get_visible_proposal, proposals_visible_to
from jianyan.core.errors import InvalidInput, NotAllowed, NotFound
from jianyan.handling import workflow as handling
from jianyan.people.models import Committee, Organisation, Profile, Role, Session, Term, Unit
from jianyan.people.setup import seed_reason_codes, seed_themes
from jianyan.proposals import workflow as proposals
from jianyan.proposals.models import State
from jianyan.proposals.selectors import timeline_of
from jianyan.reports.combined import combined_statistics
from jianyan.supervision import linkage, selectors
from jianyan.supervision import workflow as supervision


@pytest.fixture
def county(committee):
    c = Committee.objects.create(code="cq", name="政协阳泉市城区委员会", short_name="城区政协", place="城区",
                                 level=Committee.Level.COUNTY, parent=committee)
    seed_reason_codes(c)
    seed_themes(c)
    now = timezone.now()
    term = Term.objects.create(committee=c, number=9, start_year=2022)
    Session.objects.create(term=term, sitting=4, year=now.year, plenary_start=now.date() - dt.timedelta(days=12),
                           plenary_end=now.date() + dt.timedelta(days=18),
                           submission_deadline=now + dt.timedelta(days=30))
    return c


@pytest.fixture
def county_cast(county):
    unit = Unit.objects.create(committee=county, name="城区住建局", duties="住房和城乡建设")
    org = Organisation.objects.create(committee=county, name="民盟城区委员会", kind=Organisation.Kind.PARTY)
    return {
        "member": make_user("c_member", county, Role.MEMBER, "城区刘委员"),
        "clerk": make_user("c_clerk", county, Role.CLERK, "民盟城区经办人", organisation=org),
        "staff": make_user("c_staff", county, Role.STAFF, "城区提案委陈"),
        "liaison": make_user("c_unit", county, Role.UNIT, "住建局联络员", unit=unit),
        "leader": make_user("c_leader", county, Role.LEADER, "城区孙主席"),
        "unit": unit,
    }


@pytest.fixture
def two_sides(stage, county, county_cast, clerk, themes, build):
    """A proposal of each committee in handling (with a follow-up and a key topic on the city side)."""
    city_p = stage.handling()
    cc = county_cast
    county_p = build.registered(cc["member"], cc["staff"], county.themes.first(), title="关于老旧小区加装电梯的提案")
    county_p = handling.assign_proposal(county_p, actor=cc["staff"], units=[{"unit": cc["unit"].pk, "mode": "lead"}])
    county_p = handling.sign_assignment(county_p, actor=cc["liaison"])
    return city_p, county_p


ROLES = ("member", "clerk", "staff", "liaison", "leader")


def make_user(username, committee, role, name, **profile):
    """Like the conftest helper (which cannot be imported by name: tests/e2e has a conftest too)."""
    user = get_user_model().objects.create_user(username=username, password="x")
    Profile.objects.create(user=user, committee=committee, role=role, display_name=name, **profile)
    return user



@pytest.mark.parametrize("role", ROLES)
def test_a_county_user_sees_nothing_of_the_city(two_sides, county_cast, role):
    city_p, county_p = two_sides
    user = county_cast[role]
    assert not proposals_visible_to(user).filter(committee__level=Committee.Level.CITY).exists()
    with pytest.raises(NotFound):
        get_visible_proposal(user, city_p.pk)
    assert not selectors.keys_visible_to(user).exclude(committee=county_p.committee).exists()
    assert not selectors.follow_ups_visible_to(user).exclude(committee=county_p.committee).exists()


@pytest.mark.parametrize("role", ROLES)
def test_a_city_user_sees_nothing_of_the_county(two_sides, role, member, clerk, staff, liaison, leader):
    city_p, county_p = two_sides
    user = {"member": member, "clerk": clerk, "staff": staff, "liaison": liaison, "leader": leader}[role]
    assert not proposals_visible_to(user).filter(committee=county_p.committee).exists()
    with pytest.raises(NotFound):
        get_visible_proposal(user, county_p.pk)


def test_staff_act_only_in_their_own_committee(two_sides, county_cast, staff, session):
    city_p, county_p = two_sides
    with pytest.raises(NotFound):
        handling.record_consultation(city_p, actor=county_cast["staff"], form="phone", date=timezone.localdate(),
                                     participants="某", outcome="某")
    with pytest.raises(NotAllowed):
        supervision.designate_key_proposal(actor=county_cast["staff"], session=session, topic="越权",
                                           proposals=[city_p])


def test_a_county_proposal_about_city_affairs_is_transferred_with_its_history(
        county, county_cast, committee, staff, member):
    cc = county_cast
    origin = build_submitted(cc["member"], title="关于市级体育中心向市民开放的提案")
    copy = linkage.transfer_proposal(origin, actor=cc["staff"], to_committee=committee,
                                     note="涉及市级场馆，转市政协办理")
    origin.refresh_from_db()
    assert (copy.committee, copy.state, copy.transferred_from) == (committee, State.SUBMITTED, origin)
    assert origin.state == State.CONVERTED
    assert [e.action for e in timeline_of(origin)][-1] == "proposal.transferred"
    assert [e.action_label for e in timeline_of(copy)] == ["由另一级政协转来"]

    # The city's staff review it like any other; the county's staff do not see it, but both see the link.
    assert get_visible_proposal(staff, copy.pk) == copy
    with pytest.raises(NotFound):
        get_visible_proposal(cc["staff"], copy.pk)
    proposals.register_proposal(copy, actor=staff, theme=committee.themes.first())
    [seen_by_county] = linkage.counterparts(origin)
    assert (seen_by_county["direction"], seen_by_county["committee"], seen_by_county["state_label"]) == (
        "to", committee, "已立案")
    assert "立案" in [e.action_label for e in seen_by_county["timeline"]]
    [seen_by_city] = linkage.counterparts(copy)
    assert (seen_by_city["direction"], seen_by_city["committee"]) == ("from", county)
    # The proposer keeps seeing their proposal on both sides.
    assert {p.pk for p in proposals_visible_to(cc["member"])} == {origin.pk, copy.pk}


def build_submitted(author, title):
    p = proposals.create_proposal(actor=author, title=title, background="情况说明。", suggestions=["建议一"])
    return proposals.submit_proposal(p, actor=author)


def test_the_city_transfers_down_to_its_county(county, staff, member, committee):
    origin = build_submitted(member, "关于城区背街小巷整治的提案")
    copy = linkage.transfer_proposal(origin, actor=staff, to_committee=county.pk, note="属城区事权")
    assert copy.committee == county and copy.proposers.get().user == member


def test_transfers_only_go_between_linked_committees_and_by_staff(county, outsider, staff, member, county_cast):
    origin = build_submitted(member, "关于某事的提案")
    unlinked = outsider.profile.committee
    with pytest.raises(InvalidInput):
        linkage.transfer_proposal(origin, actor=staff, to_committee=unlinked, note="转")
    with pytest.raises(InvalidInput):
        linkage.transfer_proposal(origin, actor=staff, to_committee="城区", note="转")
    with pytest.raises(InvalidInput):
        linkage.transfer_proposal(origin, actor=staff, to_committee=county, note=" ")
    with pytest.raises(NotAllowed):
        linkage.transfer_proposal(origin, actor=member, to_committee=county, note="转")
    with pytest.raises(NotFound):
        linkage.transfer_proposal(origin, actor=county_cast["staff"], to_committee=county, note="转")
    origin.refresh_from_db()
    assert origin.state == State.SUBMITTED and not origin.transfers.exists()


def test_the_city_sees_the_combined_statistics_of_its_counties(two_sides, committee, county):
    year = timezone.localdate().year
    combined = combined_statistics(year=year, committee=committee)
    assert [r["committee"] for r in combined["rows"]] == [committee, county]
    assert combined["total"]["registered"] == 2 == sum(r["figures"]["registered"] for r in combined["rows"])
    assert combined["total"]["registration_rate"] == 1.0
    assert [r["committee"] for r in combined_statistics(year=year, committee=county)["rows"]] == [county]
