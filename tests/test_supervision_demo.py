"""The demo's supervision part (jianyan.supervision.demo): Yangquan with two district committees, the key
proposals' life, follow-up, excellent proposals and a transfer. Built once for the module (slow)."""

import pytest
from django.test import override_settings

from jianyan.demo import build_demo, reset_demo
from jianyan.people.models import Committee
from jianyan.proposals.models import Proposal, State
from jianyan.reports.combined import combined_statistics
from jianyan.supervision.models import (
    ExcellentNomination,
    FollowUp,
    KeyNomination,
    KeyProposal,
    ProgressUpdate,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            yield build_demo()
        reset_demo()


@pytest.fixture
def yq(demo, db):
    return Committee.objects.get(code="yq")


def test_yangquan_has_two_district_committees_and_combined_statistics(yq):
    assert set(Committee.objects.filter(parent=yq).values_list("code", flat=True)) == {"cq", "kq"}
    combined = combined_statistics(year=2024, committee=yq)
    assert [r["committee"].code for r in combined["rows"]] == ["yq", "cq", "kq"]
    assert combined["rows"][0]["figures"]["registered"] == 387  # the report's figure, unchanged
    assert combined["total"]["registered"] == sum(r["figures"]["registered"] for r in combined["rows"]) > 387


def test_the_key_proposals_went_through_approval_and_sign_off(yq):
    keys = KeyProposal.objects.filter(committee=yq)
    assert not keys.filter(session__year=2024).exclude(status=KeyProposal.Status.SIGNED_OFF).exists()
    assert keys.filter(session__year=2025, status=KeyProposal.Status.APPROVED).exists()
    assert KeyNomination.objects.filter(committee=yq, status=KeyNomination.Status.PENDING,
                                        organisation__isnull=False).exists()


def test_follow_up_and_excellent_proposals(yq):
    items = FollowUp.objects.filter(committee=yq, year=2025)
    assert items.filter(source=FollowUp.Source.CLASS_B).exists() and items.filter(source=FollowUp.Source.KEY).exists()
    assert ProgressUpdate.objects.filter(follow_up__in=items, is_supplementary_reply=True).exists()
    assert FollowUp.objects.filter(committee=yq, source=FollowUp.Source.KEY).values("year").distinct().count() >= 2
    assert ExcellentNomination.objects.filter(committee=yq, year=2024,
                                              status=ExcellentNomination.Status.PUBLISHED).count() >= 2


def test_a_district_proposal_was_transferred_to_the_city(yq):
    copy = Proposal.objects.get(committee=yq, transferred_from__isnull=False)
    assert copy.state == State.SUBMITTED and copy.transferred_from.committee.code == "kq"
    assert copy.transferred_from.state == State.CONVERTED
