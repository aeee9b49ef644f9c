"""The supervision pages: key-proposal nominations and actions, follow-up with progress updates, the proposer's
view of progress on the proposal page, excellent proposals, combined statistics and transfers."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jianyan.handling import workflow as handling
from jianyan.people.models import Committee, Profile, Role, Session, Term
from jianyan.proposals.models import Proposal, State
from jianyan.supervision import workflow as supervision
from jianyan.supervision.models import (
    ExcellentNomination,
    FollowUp,
    KeyNomination,
    KeyProposal,
    ProgressUpdate,
)

User = get_user_model()


@pytest.fixture
def follow_up(stage, staff, committee):
    p = stage.handling()
    handling.submit_reply(p, actor=stage.liaison, result_class="B", body="列入明年计划。", signer="王局长")
    handling.approve_reply(p, actor=staff)
    return supervision.open_follow_ups(actor=staff, committee=committee, year=timezone.localdate().year + 1)[0]


def test_a_clerk_nominates_and_staff_decline(web, clerk, staff, themes, build):
    p = build.registered(clerk, staff, themes[0], title="关于民营经济发展的提案")
    response = web(clerk).post("/supervision/key-proposals/nominations/", {"proposal": p.pk, "reason": "党派重点"},
                               follow=True)
    assert "已推荐" in response.content.decode()
    nomination = KeyNomination.objects.get()
    page = web(staff).get("/supervision/key-proposals/nominations/").content.decode()
    assert "党派重点" in page and "民革阳泉市委员会" in page
    web(staff).post(f"/supervision/key-proposals/nominations/{nomination.pk}/decline/", {"note": "名额已满"})
    nomination.refresh_from_db()
    assert nomination.status == KeyNomination.Status.DECLINED
    assert web(clerk).post(f"/supervision/key-proposals/nominations/{nomination.pk}/decline/").status_code == 403


def test_a_nomination_of_a_proposal_one_cannot_see_is_refused(web, clerk, member, staff, themes, build):
    other = build.registered(member, staff, themes[0])
    response = web(clerk).post("/supervision/key-proposals/nominations/", {"proposal": other.pk, "reason": "好"},
                               follow=True)
    assert "请选择本政协已立案的提案" in response.content.decode()
    assert not KeyNomination.objects.exists()


def test_the_leader_approves_and_signs_off_from_the_dashboard(web, stage, staff, leader, session, member, cosigner):
    p = stage.replied()
    key = supervision.designate_key_proposal(actor=staff, session=session, topic="专精特新", proposals=[p],
                                             lead_leader=leader, supervising_leader=leader)
    page = web(leader).get("/workspace/").content.decode()
    assert "主席会议批准" in page
    web(leader).post(f"/supervision/key-proposals/{key.pk}/approve/", {"note": "同意"})
    key.refresh_from_db()
    assert key.status == KeyProposal.Status.APPROVED
    assert web(staff).post(f"/supervision/key-proposals/{key.pk}/sign-off/").status_code == 403
    for user in (member, cosigner):
        handling.evaluate_proposal(p, actor=user, attitude="satisfied", result="satisfied")
    response = web(leader).post(f"/supervision/key-proposals/{key.pk}/sign-off/", {"next": "/workspace/"},
                                follow=True)
    assert "已签字确认" in response.content.decode()
    assert Proposal.objects.get(pk=p.pk).state == State.CLOSED
    assert web(member).post(f"/supervision/key-proposals/{key.pk}/approve/").status_code == 404


def test_staff_track_a_key_proposal_next_year(web, stage, staff, leader, session):
    key = supervision.designate_key_proposal(actor=staff, session=session, topic="专题",
                                             proposals=[stage.handling()], lead_leader=leader)
    web(staff).post(f"/supervision/key-proposals/{key.pk}/track/", {"year": session.year + 1})
    assert list(FollowUp.objects.values_list("year", "source")) == [(session.year + 1, "key")]


def test_the_unit_posts_progress_and_the_proposer_sees_it(web, follow_up, liaison, member, staff, liaison2):
    page = web(liaison).get("/supervision/follow-ups/").content.decode()
    assert follow_up.proposal.title in page and "报送进展" in page
    response = web(liaison).post(f"/supervision/follow-ups/{follow_up.pk}/update/",
                                 {"kind": "progress", "status": "in_progress", "percent": "50", "note": "已完成一半"},
                                 follow=True)
    assert "进展已报送" in response.content.decode()
    response = web(liaison).post(f"/supervision/follow-ups/{follow_up.pk}/update/",
                                 {"kind": "progress", "status": "in_progress", "percent": "150", "note": "超过"},
                                 follow=True)
    assert "0 到 100" in response.content.decode()
    assert ProgressUpdate.objects.count() == 1
    detail = web(member).get(f"/proposals/{follow_up.proposal_id}/").content.decode()
    assert "跟踪与转办" in detail and "已完成一半" in detail and "50%" in detail
    assert "已完成一半" in web(staff).get("/supervision/follow-ups/").content.decode()
    assert follow_up.proposal.title not in web(liaison2).get("/supervision/follow-ups/").content.decode()
    assert web(liaison2).post(f"/supervision/follow-ups/{follow_up.pk}/update/",
                              {"status": "done", "percent": "100", "note": "x"}).status_code == 404
    assert web(staff).post(f"/supervision/follow-ups/{follow_up.pk}/update/").status_code == 403


def test_staff_open_follow_ups_from_the_page(web, stage, staff, committee):
    p = stage.handling()
    handling.submit_reply(p, actor=stage.liaison, result_class="C", body="以后解决。", signer="王局长")
    handling.approve_reply(p, actor=staff)
    year = timezone.localdate().year + 1
    response = web(staff).post("/supervision/follow-ups/open/", {"year": year}, follow=True)
    assert "新建1项" in response.content.decode()
    assert FollowUp.objects.get().source == FollowUp.Source.CLASS_C


def test_excellent_proposals_pages(web, stage, liaison, staff, member):
    p = stage.replied()
    year = timezone.localdate().year
    web(liaison).post("/supervision/excellent/", {"proposal": p.pk, "reason": "成效显著", "year": year})
    n = ExcellentNomination.objects.get()
    for decision in ("shortlist", "select"):
        web(staff).post(f"/supervision/excellent/{n.pk}/review/", {"decision": decision})
    assert p.title not in web(member).get("/supervision/excellent/").content.decode()
    web(staff).post("/supervision/excellent/publish/", {"year": year})
    assert p.title in web(member).get("/supervision/excellent/").content.decode()
    assert web(member).post("/supervision/excellent/", {"proposal": p.pk, "reason": "好"}).status_code == 404


def county_of(committee):
    county = Committee.objects.create(code="cq", name="政协阳泉市城区委员会", short_name="城区政协", place="城区",
                                      level=Committee.Level.COUNTY, parent=committee)
    term = Term.objects.create(committee=county, number=9, start_year=2022)
    now = timezone.now()
    Session.objects.create(term=term, sitting=4, year=now.year, plenary_start=now.date(), plenary_end=now.date(),
                           submission_deadline=now)
    return county


def test_staff_transfer_a_proposal_to_the_county_and_both_sides_see_it(web, stage, staff, committee, member):
    county = county_of(committee)
    county_staff = User.objects.create_user(username="c_staff", password="x")
    Profile.objects.create(user=county_staff, committee=county, role=Role.STAFF, display_name="城区提案委")
    p = stage.submitted()
    assert "转至上级或下级政协办理" in web(staff).get(f"/proposals/{p.pk}/").content.decode()
    response = web(staff).post(f"/supervision/transfer/{p.pk}/", {"to_committee": county.pk, "note": " "})
    assert response.status_code == 400 and "转办说明" in response.content.decode()
    response = web(staff).post(f"/supervision/transfer/{p.pk}/", {"to_committee": county.pk, "note": "属城区事权"},
                               follow=True)
    assert "已转至政协阳泉市城区委员会" in response.content.decode()
    copy = Proposal.objects.get(committee=county)
    seen = web(county_staff).get(f"/proposals/{copy.pk}/").content.decode()
    assert "政协阳泉市委员会</strong>转来" in seen and "转至另一级政协办理" in seen  # the origin's timeline
    assert "已转至" in web(member).get(f"/proposals/{p.pk}/").content.decode()
    assert web(county_staff).get(f"/proposals/{p.pk}/").status_code == 404
    assert web(member).post(f"/supervision/transfer/{p.pk}/", {"to_committee": county.pk}).status_code == 403


def test_the_combined_statistics_page(web, stage, staff, leader, committee, member):
    county_of(committee)
    stage.registered()
    page = web(leader).get("/supervision/combined/").content.decode()
    assert "城区政协" in page and "合计" in page
    assert web(member).get("/supervision/combined/").status_code == 403


def test_a_chair_approves_on_the_approvals_page_naming_the_supervising_leader(web, stage, staff, leader, session,
                                                                             member):
    key = supervision.designate_key_proposal(actor=staff, session=session, topic="普惠托育",
                                             proposals=[stage.registered()], lead_leader=leader)
    page = web(leader).get("/supervision/key-proposals/approvals/").content.decode()
    assert "普惠托育" in page and "督办领导" in page
    web(leader).post(f"/supervision/key-proposals/{key.pk}/approve/", {"supervising_leader": leader.pk})
    key.refresh_from_db()
    assert (key.status, key.supervising_leader) == (KeyProposal.Status.APPROVED, leader)
    assert web(staff).get("/supervision/key-proposals/approvals/").status_code == 403
    assert "重点提案审批" in web(leader).get("/workspace/").content.decode()


def test_the_list_pages_run_a_constant_number_of_queries(web, stage, staff, liaison, member, committee):
    def replied_b(title):
        p = stage.handling(title=title)
        handling.submit_reply(p, actor=liaison, result_class="B", body="计划中。", signer="王局长")
        return handling.approve_reply(p, actor=staff)

    def counts():
        found = {}
        for user, url in ((liaison, "/supervision/follow-ups/"), (staff, "/supervision/follow-ups/"),
                          (member, "/supervision/follow-ups/"), (staff, "/supervision/excellent/"),
                          (member, "/supervision/record/"), (staff, "/supervision/key-proposals/nominations/")):
            client = web(user)
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            found[(user.username, url)] = len(ctx.captured_queries)
        return found

    year = timezone.localdate().year + 1
    replied_b("关于第一件的提案")
    items = supervision.open_follow_ups(actor=staff, committee=committee, year=year)
    supervision.post_progress_update(items[0], actor=liaison, status="in_progress", percent=10, note="一")
    few = counts()
    for i in range(4):
        replied_b(f"关于第{i}件更多的提案")
    for item in supervision.open_follow_ups(actor=staff, committee=committee, year=year):
        supervision.post_progress_update(item, actor=liaison, status="in_progress", percent=20, note="二")
    many = counts()
    assert many == few
    assert max(many.values()) <= 20, many
