"""Two-way evaluation (双向评议): proposers rate the handling, units rate the proposal's quality on the five
dimensions of domain.md §5 (科学性、严肃性、可行性、规范性、影响性), each blind to the other until both are in."""

import pytest

from jianyan.core.errors import InvalidInput, InvalidState, NotAllowed, NotFound
from jianyan.handling import workflow as handling
from jianyan.handling.models import QualityRating
from jianyan.supervision import selectors
from jianyan.supervision import workflow as supervision
from jianyan.supervision.models import ExcellentNomination

SCORES = {"science": 18, "seriousness": 17, "feasibility": 16, "norm": 19, "impact": 15}


def seen(proposal, user):
    view = selectors.two_way_evaluation(proposal, user)
    return len(view["handling"]), len(view["quality"]), view["complete"]


def test_each_side_is_blind_until_both_are_in(stage, member, liaison, liaison2, staff, leader):
    p = stage.replied()
    handling.rate_quality(p, actor=liaison, scores=SCORES, comment="论证充分")
    assert seen(p, member) == (0, 0, False)  # the proposer does not see the unit's rating yet
    assert seen(p, liaison) == (0, 1, False)  # the unit sees only its own
    handling.evaluate_proposal(p, actor=member, attitude="satisfied", result="basically_satisfied")
    assert seen(p, member) == (1, 1, True)
    assert seen(p, liaison) == (1, 1, True)
    assert seen(p, staff) == seen(p, leader) == (1, 1, True)
    assert seen(p, liaison2) == (0, 0, True)  # the co-handler gave no rating: it sees neither


def test_the_proposers_rating_stays_hidden_from_a_unit_that_has_not_rated(stage, member, liaison, staff):
    p = stage.replied()
    handling.evaluate_proposal(p, actor=member, attitude="unsatisfied", result="unsatisfied")
    assert seen(p, liaison) == (0, 0, False)
    assert seen(p, staff) == (1, 0, False)


def test_quality_is_scored_on_the_five_dimensions(stage, liaison):
    p = stage.handling()
    assert set(QualityRating.DIMENSIONS.values()) == {"科学性", "严肃性", "可行性", "规范性", "影响性"}
    with pytest.raises(InvalidInput):
        handling.rate_quality(p, actor=liaison, scores={**SCORES, "impact": 21})
    rating = handling.rate_quality(p, actor=liaison, scores=SCORES)
    assert (rating.total, rating.grade) == (85, "良好")


def test_excellent_proposals_from_nomination_to_the_published_list(stage, member, staff, liaison, liaison2, committee,
                                                                   outsider):
    p = stage.replied()
    with pytest.raises(NotFound):
        supervision.nominate_excellent(p, actor=outsider, reason="好")
    with pytest.raises(NotAllowed):
        supervision.nominate_excellent(p, actor=member, reason="好")
    nomination = supervision.nominate_excellent(p, actor=liaison, reason="选题准确、针对性强、成效显著", year=2026)
    with pytest.raises(Exception, match="已被推荐"):
        supervision.nominate_excellent(p, actor=liaison2, reason="同上", year=2026)
    assert not selectors.published_excellent(committee.pk).exists()
    with pytest.raises(InvalidState):  # 审议 comes after 初评
        supervision.review_excellent(nomination, actor=staff, decision="select")
    supervision.review_excellent(nomination, actor=staff, decision="shortlist", note="初评通过")
    supervision.review_excellent(nomination, actor=staff, decision="select", note="提案委全体会议审议通过")
    with pytest.raises(NotAllowed):
        supervision.review_excellent(nomination, actor=liaison, decision="decline")
    assert supervision.publish_excellent(actor=staff, committee=committee, year=2026) == 1
    assert [n.proposal for n in selectors.published_excellent(committee.pk, 2026)] == [p]
    with pytest.raises(InvalidState):
        supervision.publish_excellent(actor=staff, committee=committee, year=2026)


def test_a_proposal_still_in_handling_is_not_nominated(stage, liaison):
    with pytest.raises(InvalidState):
        supervision.nominate_excellent(stage.handling(), actor=liaison, reason="好")
    assert not ExcellentNomination.objects.exists()
