"""The publication workflow: consent, approval with redaction, withdrawal, the secret marker, and the guards."""

import pytest
from disclosure_support import PHONE, published, replied_proposal

from jianyan import search
from jianyan.core.errors import InvalidInput, InvalidState, NotAllowed, NotFound
from jianyan.core.models import AuditEvent
from jianyan.disclosure import workflow
from jianyan.disclosure.models import Publication
from jianyan.disclosure.redaction import MASK


@pytest.fixture
def cast(member, staff, liaison, themes, unit_gxj):
    return member, staff, liaison, themes[0], unit_gxj


def test_approval_publishes_the_redacted_text_and_indexes_it(cast):
    member, staff, *_ = cast
    body = f"老旧小区加装电梯协调难，联系人电话{PHONE}。"
    pub = published(*cast, background=body, redactions={"body": [PHONE]})
    assert pub.status == Publication.Status.PUBLISHED
    assert PHONE not in pub.body and MASK in pub.body
    assert "加装电梯" in pub.title and "王局长" not in pub.reply
    assert search.search_ids("电梯") == [pub.pk]
    assert AuditEvent.objects.filter(proposal=pub.proposal, action="publication.approved", actor=staff).exists()


def test_consent_is_required_where_the_committee_requires_it(cast):
    member, staff, *_ = cast
    p = replied_proposal(*cast, consent=False)
    with pytest.raises(InvalidState) as e:
        workflow.approve_publication(p, actor=staff)
    assert e.value.code == "consent_required"
    assert not Publication.objects.exists()


def test_without_the_consent_rule_staff_may_publish_alone(cast, committee):
    committee.publish_consent_required = False
    committee.save()
    p = replied_proposal(*cast, consent=False)
    assert workflow.approve_publication(p, actor=cast[1]).status == Publication.Status.PUBLISHED


def test_a_secret_proposal_is_never_published(cast):
    member, staff, *_ = cast
    p = replied_proposal(*cast)
    workflow.mark_secret(p, actor=staff, note="涉及内部事项")
    with pytest.raises(InvalidState) as e:
        workflow.approve_publication(p, actor=staff)
    assert e.value.code == "secret"
    assert not Publication.objects.exists()


def test_marking_a_published_proposal_secret_withdraws_it_and_empties_the_index(cast):
    staff = cast[1]
    pub = published(*cast)
    workflow.mark_secret(pub.proposal, actor=staff)
    pub.refresh_from_db()
    assert pub.status == Publication.Status.WITHDRAWN
    assert search.search_ids("电梯") == []
    with pytest.raises(InvalidState):
        workflow.update_redactions(pub, actor=staff, redactions={})


def test_withdrawal_removes_from_search_and_can_be_published_again(cast):
    staff = cast[1]
    pub = published(*cast)
    workflow.withdraw_publication(pub, actor=staff, note="核实中")
    assert search.search_ids("电梯") == []
    with pytest.raises(InvalidState):
        workflow.withdraw_publication(pub, actor=staff)
    again = workflow.approve_publication(pub.proposal, actor=staff)
    assert again.pk == pub.pk and search.search_ids("电梯") == [pub.pk]


def test_revoking_consent_withdraws_the_publication(cast):
    member = cast[0]
    pub = published(*cast)
    workflow.revoke_publish_consent(pub.proposal, actor=member)
    pub.refresh_from_db()
    assert pub.status == Publication.Status.WITHDRAWN


def test_redactions_must_be_found_in_the_text(cast):
    staff = cast[1]
    p = replied_proposal(*cast)
    with pytest.raises(InvalidInput):
        workflow.approve_publication(p, actor=staff, redactions={"body": ["不存在的内容"]})
    with pytest.raises(InvalidInput):
        workflow.approve_publication(p, actor=staff, redactions={"author": ["x"]})
    assert not Publication.objects.exists()


def test_changing_redactions_reindexes(cast):
    staff = cast[1]
    pub = published(*cast, reply_body="我局将加快推进公交线网优化。")
    assert search.search_ids("公交") == [pub.pk]
    workflow.update_redactions(pub, actor=staff, redactions={"reply": ["公交"]})
    pub.refresh_from_db()
    assert "公交" not in pub.reply
    assert search.search_ids("公交") == []


def test_an_unreplied_proposal_cannot_be_published(member, staff, themes, unit_gxj, build):
    p = build.assigned(member, staff, themes[0], [{"unit": unit_gxj.pk, "mode": "lead"}])
    with pytest.raises(InvalidState):
        workflow.approve_publication(p, actor=staff)


def test_only_staff_decide_and_outsiders_get_404(cast, outsider, leader):
    member, staff, liaison, *_ = cast
    p = replied_proposal(*cast)
    with pytest.raises(NotAllowed):
        workflow.approve_publication(p, actor=member)
    with pytest.raises(NotAllowed):
        workflow.mark_secret(p, actor=leader)
    with pytest.raises(NotFound):
        workflow.approve_publication(p, actor=outsider)
    with pytest.raises(NotAllowed):
        workflow.give_publish_consent(p, actor=liaison)
    assert not Publication.objects.exists()
