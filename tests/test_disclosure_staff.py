"""The staff's publication pages: the list with consent state, the redaction editor with its preview,
approve / update / withdraw / mark secret, and the proposer's consent page."""

import pytest
from disclosure_support import PHONE, published, replied_proposal
from django.urls import reverse

from jianyan.core.models import AuditEvent
from jianyan.disclosure.models import Publication
from jianyan.disclosure.redaction import MASK


@pytest.fixture
def cast(member, staff, liaison, themes, unit_gxj):
    return member, staff, liaison, themes[0], unit_gxj


def test_the_list_shows_consent_and_publication_state(client, cast, django_assert_max_num_queries):
    member, staff, *_ = cast
    replied_proposal(*cast, title="关于甲的提案", consent=False)
    published(*cast, title="关于乙的提案")
    for i in range(3):
        replied_proposal(*cast, title=f"关于丙{i}的提案")
    client.force_login(staff)
    with django_assert_max_num_queries(16):
        r = client.get(reverse("disclosure:manage"))
    html = r.content.decode()
    assert r.status_code == 200
    assert "关于甲的提案" in html and "未同意" in html and "已公开" in html
    assert "关于甲的提案" not in client.get(reverse("disclosure:manage"), {"show": "ready"}).content.decode()
    assert reverse("disclosure:manage") in html  # the staff menu links to it


def test_other_roles_get_403_and_anonymous_is_sent_to_login(client, cast, liaison):
    client.force_login(liaison)
    assert client.get(reverse("disclosure:manage")).status_code == 403
    client.logout()
    assert client.get(reverse("disclosure:manage")).status_code == 302


def test_preview_shows_the_redacted_text_and_changes_nothing(client, cast):
    staff = cast[1]
    p = replied_proposal(*cast, background=f"请联系{PHONE}。")
    client.force_login(staff)
    r = client.post(reverse("disclosure:edit", args=[p.pk]), {"action": "preview", "hide_body": PHONE})
    html = r.content.decode()
    assert r.status_code == 200 and "预览" in html and f"请联系{MASK}" in html
    assert not Publication.objects.exists()


def test_approve_with_redaction_then_update_then_withdraw(client, cast):
    staff = cast[1]
    p = replied_proposal(*cast, background=f"请联系{PHONE}。")
    client.force_login(staff)
    r = client.post(reverse("disclosure:edit", args=[p.pk]), {"action": "approve", "hide_body": PHONE})
    assert r.status_code == 302
    pub = Publication.objects.get(proposal=p)
    assert PHONE not in pub.body and pub.redactions == {"body": [PHONE]}
    client.post(reverse("disclosure:edit", args=[p.pk]), {"action": "update", "hide_body": PHONE,
                                                           "hide_title": "加装电梯"})
    pub.refresh_from_db()
    assert "加装电梯" not in pub.title
    client.post(reverse("disclosure:withdraw", args=[p.pk]), {"note": "核实"})
    pub.refresh_from_db()
    assert pub.status == Publication.Status.WITHDRAWN
    actions = set(AuditEvent.objects.filter(proposal=p).values_list("action", flat=True))
    assert {"publication.approved", "publication.redacted", "publication.withdrawn"} <= actions


def test_a_bad_redaction_shows_the_form_again_with_the_message(client, cast):
    staff = cast[1]
    p = replied_proposal(*cast)
    client.force_login(staff)
    r = client.post(reverse("disclosure:edit", args=[p.pk]), {"action": "approve", "hide_body": "不在正文里"})
    assert r.status_code == 400 and "找不到要隐去的内容" in r.content.decode()
    assert not Publication.objects.exists()


def test_approval_without_consent_is_refused_with_a_message(client, cast):
    staff = cast[1]
    p = replied_proposal(*cast, consent=False)
    client.force_login(staff)
    r = client.post(reverse("disclosure:edit", args=[p.pk]), {"action": "approve"})
    assert r.status_code == 409 and "提案人" in r.content.decode()


def test_mark_secret_from_the_page(client, cast):
    staff = cast[1]
    pub = published(*cast)
    client.force_login(staff)
    client.post(reverse("disclosure:secret", args=[pub.proposal_id]), {"note": "涉密"})
    pub.refresh_from_db()
    assert pub.status == Publication.Status.WITHDRAWN and pub.proposal.is_secret
    html = client.get(reverse("disclosure:edit", args=[pub.proposal_id])).content.decode()
    assert "涉密，不得公开" in html and "批准公开" not in html


def test_the_editor_is_404_for_an_unreplied_proposal(client, cast, build):
    member, staff, *_ = cast
    p = build.submitted(member)
    client.force_login(staff)
    assert client.get(reverse("disclosure:edit", args=[p.pk])).status_code == 404
    assert client.get(reverse("disclosure:edit", args=[999999])).status_code == 404


def test_the_proposer_gives_and_revokes_consent(client, cast, outsider):
    member = cast[0]
    p = replied_proposal(*cast, consent=False)
    client.force_login(member)
    assert "同意公开" in client.get(reverse("disclosure:consent", args=[p.pk])).content.decode()
    client.post(reverse("disclosure:consent", args=[p.pk]), {"consent": "yes"})
    p.refresh_from_db()
    assert p.publish_consent
    client.post(reverse("disclosure:consent", args=[p.pk]), {"consent": "no"})
    p.refresh_from_db()
    assert not p.publish_consent
    client.force_login(outsider)
    assert client.get(reverse("disclosure:consent", args=[p.pk])).status_code == 404
