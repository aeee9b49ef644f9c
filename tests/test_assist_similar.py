"""Similar proposals and 并案 candidates: only what the user may see, with what a result shows."""

import datetime as dt

import pytest
from django.utils import timezone

from jianyan.assist import services
from jianyan.core.errors import InvalidInput, NotAllowed, NotFound
from jianyan.people.models import Session, Term
from jianyan.proposals import workflow as proposals

TITLE = "关于加快老旧小区既有住宅加装电梯的提案"
BODY = "我市老旧小区多为六层以下住宅，没有电梯，老年居民上下楼困难。据调查，全市有加装需求的单元约三千个。"
ADVICE = ["设立加装电梯专项补助资金，每户补助不低于5万元", "简化加装电梯审批流程，推行一窗受理"]
TYPED = "关于推进老旧小区加装电梯的建议"


@pytest.fixture
def other_session(outsider):
    committee = outsider.profile.committee
    term = Term.objects.create(committee=committee, number=9, start_year=2022)
    now = timezone.now()
    return Session.objects.create(term=term, sitting=1, year=now.year, plenary_start=now.date(),
                                  plenary_end=now.date(), submission_deadline=now + dt.timedelta(days=30))


def write(author, title=TITLE, background=BODY, suggestions=ADVICE):
    return proposals.create_proposal(actor=author, title=title, background=background, suggestions=list(suggestions))


def ids(results):
    return [r.id for r in results]


def test_a_member_finds_their_own_proposals_but_never_another_members_draft(member, cosigner):
    mine = write(member, title="关于老旧小区加装电梯的提案")
    theirs = write(cosigner)
    assert ids(services.similar_proposals(member, title=TYPED)) == [mine.pk]
    assert ids(services.similar_proposals(cosigner, title=TYPED)) == [theirs.pk]
    proposals.submit_proposal(theirs, actor=cosigner)  # submitted: still not the member's to see
    assert theirs.pk not in ids(services.similar_proposals(member, title=TYPED, top=50))


def test_nobody_gets_another_committees_proposals(member, staff, outsider, other_session, admin_user):
    theirs = proposals.submit_proposal(write(outsider), actor=outsider)
    ours = proposals.submit_proposal(write(member, title="关于老旧小区加装电梯的提案"), actor=member)
    assert ids(services.similar_proposals(staff, title=TYPED)) == [ours.pk]
    assert ids(services.similar_proposals(member, title=TYPED)) == [ours.pk]
    assert ids(services.similar_proposals(outsider, title=TYPED)) == [theirs.pk]
    assert ids(services.similar_proposals(admin_user, title=TYPED)) == [ours.pk]  # the first committee
    assert ids(services.similar_proposals(admin_user, title=TYPED, committee=outsider.profile.committee)) == [
        theirs.pk]


def test_staff_see_submitted_proposals_and_not_drafts(member, cosigner, staff, leader, liaison, stage):
    draft = write(cosigner)
    submitted = proposals.submit_proposal(write(member, title="关于老旧小区加装电梯的提案"), actor=member)
    assert ids(services.similar_proposals(staff, title=TYPED)) == [submitted.pk]
    assert ids(services.similar_proposals(leader, title=TYPED)) == [submitted.pk]
    assert draft.pk not in ids(services.similar_proposals(staff, title=TYPED, top=50))
    assert services.similar_proposals(liaison, title=TYPED) == []  # a unit sees what it was assigned


def test_a_result_shows_session_state_score_reason_and_the_reply_class(stage, staff, session):
    replied = stage.replied(title="关于老旧小区加装电梯的提案")
    [result] = services.similar_proposals(staff, title=TYPED)
    assert result.id == replied.pk
    assert result.title == "关于老旧小区加装电梯的提案"
    assert (result.session, result.year) == (session.label, session.year)
    assert (result.state, result.state_label) == ("replied", "已答复")
    assert result.result_class == "A"
    assert result.display_number == replied.display_number
    assert 0 < result.score <= 1 and "电梯" in result.reason
    assert result.as_dict()["result_class"] == "A"


def test_results_are_best_first_and_unrelated_ones_left_out(member, staff):
    close = proposals.submit_proposal(write(member), actor=member)
    near = proposals.submit_proposal(write(member, title="关于改善老旧小区居住条件的提案",
                                           background="老旧小区设施陈旧。", suggestions=["实施老旧小区改造"]),
                                     actor=member)
    proposals.submit_proposal(write(member, title="关于发展乡村旅游的提案", background="乡村旅游起步晚。",
                                    suggestions=["建设乡村旅游公路"]), actor=member)
    found = services.similar_proposals(staff, title="关于老旧小区加装电梯的建议", body=BODY)
    assert ids(found) == [close.pk, near.pk]
    assert found[0].score > found[1].score
    assert found[0].near_duplicate and not found[1].near_duplicate


def test_an_empty_query_is_refused_and_a_text_is_split_into_title_and_body(member):
    with pytest.raises(InvalidInput):
        services.similar_proposals(member, title="  ", body="")
    with pytest.raises(InvalidInput):
        services.similar_proposals(member, text="\n  \n")
    mine = write(member)
    assert ids(services.similar_proposals(member, text=f"{TYPED}\n{BODY}")) == [mine.pk]


def test_staff_get_duplicate_candidates_with_the_shared_passages(member, cosigner, staff, themes):
    host = proposals.register_proposal(proposals.submit_proposal(write(member), actor=member), actor=staff,
                                       theme=themes[3])
    again = write(cosigner, title="关于推进老旧小区加装电梯的建议",
                  background="老旧小区多为六层以下住宅，没有电梯，老年居民上下楼困难。建议尽快推进。",
                  suggestions=["设立加装电梯专项补助资金，每户补助不低于5万元"])
    again = proposals.submit_proposal(again, actor=cosigner)
    proposals.submit_proposal(write(member, title="关于发展乡村旅游的提案", background="乡村旅游起步晚。",
                                    suggestions=["建设乡村旅游公路"]), actor=member)
    [dup] = services.duplicate_candidates(staff, again.pk)
    assert dup.id == host.pk and dup.may_merge_into
    assert dup.text == services.proposal_text(host)
    mine = services.proposal_text(again)
    texts = [p.text for p in dup.passages]
    assert any("设立加装电梯专项补助资金，每户补助不低于5万元" in t for t in texts)
    assert "老旧小区多为六层以下住宅，没有电梯，老年居民上下楼困难。" in texts
    for p in dup.passages:
        assert mine[p.start:p.end] == p.text == dup.text[p.other_start:p.other_end]
    marked = "".join(piece for piece, shared in dup.segments() if shared)
    assert "专项补助资金" in marked and "".join(piece for piece, _ in dup.segments()) == dup.text


def test_only_staff_get_duplicates_and_outsiders_get_not_found(member, cosigner, staff, leader, outsider):
    p = proposals.submit_proposal(write(member), actor=member)
    with pytest.raises(NotAllowed):
        services.duplicate_candidates(member, p.pk)
    with pytest.raises(NotAllowed):
        services.duplicate_candidates(leader, p.pk)
    with pytest.raises(NotFound):
        services.duplicate_candidates(cosigner, p.pk)
    with pytest.raises(NotFound):
        services.duplicate_candidates(outsider, p.pk)
    assert services.duplicate_candidates(staff, p.pk) == []


def test_similar_to_a_proposal_is_for_its_staff_and_proposers(member, staff, leader, cosigner):
    p = proposals.submit_proposal(write(member), actor=member)
    other = proposals.submit_proposal(write(member, title="关于老旧小区加装电梯的提案"), actor=member)
    assert ids(services.similar_to_proposal(staff, p.pk)) == [other.pk]
    assert ids(services.similar_to_proposal(member, p.pk)) == [other.pk]
    with pytest.raises(NotAllowed):
        services.similar_to_proposal(leader, p.pk)
    with pytest.raises(NotFound):
        services.similar_to_proposal(cosigner, p.pk)


def test_the_session_hot_keywords_count_submitted_proposals(member, cosigner, session):
    for title in ("关于老旧小区加装电梯的提案", "关于老旧小区停车难问题的提案", "关于发展乡村旅游的提案"):
        proposals.submit_proposal(write(member, title=title), actor=member)
    write(cosigner, title="关于乡村旅游厕所建设的提案")  # a draft: not counted
    keywords = dict(services.hot_keywords(session))
    assert keywords["老旧小区"] == 2
    assert keywords["乡村旅游"] == 1
