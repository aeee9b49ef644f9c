"""Proposal leads (提案线索): the public form (challenge, rate limit, plain text only), staff moderation, and
members drafting a proposal from an accepted lead with the link kept."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.urls import reverse

from jianyan.core.errors import InvalidInput, InvalidState, NotAllowed, NotFound
from jianyan.core.models import AuditEvent
from jianyan.leads import workflow
from jianyan.leads.challenge import SALT, chinese_number, parse_answer
from jianyan.leads.models import Lead, LeadDraft
from jianyan.proposals.models import Proposal

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SUBMIT = "/leads/new/"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def answer_of(page: str) -> tuple[str, str]:
    """Read the sum like a person: 六加四等于几？ -> 10."""
    token = re.search(r'name="challenge" value="([^"]+)"', page).group(1)
    a, op, b = re.search(r"验证题：([零一二三四五六七八九十]+)([加减])([零一二三四五六七八九十]+)等于几", page).groups()
    a, b = parse_answer(a), parse_answer(b)
    return token, str(a - b if op == "减" else a + b)


def send_lead(client=None, *, after=10, answer=None, **fields):
    """Open the form at T0 and send it `after` seconds later, answering the sum right unless told otherwise."""
    client = client or Client()
    with time_machine.travel(T0, tick=False):
        page = client.get(SUBMIT).content.decode()
    token, right = answer_of(page)
    data = {"topic": "老旧小区加装电梯", "description": "我们小区六层没有电梯，老人上下楼很困难，希望加快推进。",
            "contact": "", "challenge": token, "answer": right if answer is None else answer(int(right))
            if callable(answer) else answer, **fields}
    with time_machine.travel(T0 + dt.timedelta(seconds=after), tick=False):
        return client.post(SUBMIT, data)


@pytest.fixture
def lead(committee):
    return workflow.submit_lead(committee=committee, topic="公交线路优化",
                                description="城东新区到市中心只有一条公交线路，高峰期非常拥挤。")


@pytest.fixture
def accepted(lead, staff):
    return workflow.accept_lead(lead, actor=staff)


# ---- the public form -------------------------------------------------------------------------------

def test_the_form_is_public_and_asks_a_sum_in_chinese(committee):
    response = Client().get(SUBMIT)
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r"验证题：[零一二三四五六七八九十]+[加减][零一二三四五六七八九十]+等于几？", page)
    assert 'name="website"' in page  # the honeypot


def test_a_visitor_sends_a_lead_that_waits_for_staff(committee):
    response = send_lead(contact="13800000000")
    assert response.status_code == 302 and response["Location"] == reverse("leads:thanks")
    lead = Lead.objects.get()
    assert (lead.committee, lead.status, lead.topic, lead.contact) == (committee, "pending", "老旧小区加装电梯",
                                                                       "13800000000")
    assert lead.source_hash and "127.0.0.1" not in lead.source_hash
    assert AuditEvent.objects.filter(action="lead.submitted", committee=committee).exists()


@pytest.mark.parametrize("answer", ["", "abc", "99"])
def test_a_wrong_answer_sends_nothing(committee, answer):
    response = send_lead(answer=answer)
    assert response.status_code == 400
    assert "答案不正确" in response.content.decode()
    assert not Lead.objects.exists()


@pytest.mark.parametrize("write", [chinese_number, lambda n: chr(0xFF10 + n) if n < 10 else f"{n}"])
def test_the_answer_may_be_written_in_chinese_or_full_width(committee, write):
    assert send_lead(answer=write).status_code == 302
    assert Lead.objects.count() == 1


def test_chinese_numbers_read_back():
    assert [parse_answer(chinese_number(n)) for n in range(100)] == list(range(100))
    assert (parse_answer("十二"), parse_answer("二十"), parse_answer("１２"), parse_answer("十 二")) == (12, 20, 12, None)


def test_a_form_sent_too_fast_is_refused(committee):
    response = send_lead(after=1)
    assert response.status_code == 400 and "提交过快" in response.content.decode()
    assert not Lead.objects.exists()


def test_the_honeypot_refuses_robots(committee):
    assert send_lead(website="http://spam.example").status_code == 400
    assert not Lead.objects.exists()


def test_the_form_does_not_give_the_answer_away(committee):
    page = Client().get(SUBMIT).content.decode()
    token, right = answer_of(page)
    payload = signing.loads(token, salt=SALT)
    assert set(payload) == {"h", "t", "n"} and right not in map(str, (payload["h"], payload["n"]))


def test_a_forged_or_reused_challenge_is_refused(committee):
    assert send_lead(challenge="forged").status_code == 400
    client = Client()
    with time_machine.travel(T0, tick=False):
        token, right = answer_of(client.get(SUBMIT).content.decode())
    data = {"topic": "电梯", "description": "加装电梯的补贴标准需要统一和公开。", "challenge": token, "answer": right}
    with time_machine.travel(T0 + dt.timedelta(seconds=10), tick=False):
        assert client.post(SUBMIT, data).status_code == 302
        again = client.post(SUBMIT, data)
    assert again.status_code == 400 and "已使用过" in again.content.decode()
    assert Lead.objects.count() == 1


def test_missing_fields_are_named_and_the_form_keeps_the_text(committee):
    response = send_lead(topic="", description="太短")
    assert response.status_code == 400
    page = response.content.decode()
    assert "请填写主题" in page and "至少 10 个字" in page and "太短" in page
    assert not Lead.objects.exists()


def test_submissions_are_limited_per_address(committee, settings):
    settings.JIANYAN_LEAD_RATE_LIMIT = "2/3600"
    here = Client(REMOTE_ADDR="10.1.1.1")
    assert send_lead(here).status_code == 302
    assert send_lead(here).status_code == 302
    refused = send_lead(here)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0 and "过于频繁" in refused.content.decode()
    assert send_lead(Client(REMOTE_ADDR="10.1.1.2")).status_code == 302
    assert Lead.objects.count() == 3


def test_markup_is_removed_and_nothing_is_rendered_as_html(committee, staff, web):
    assert send_lead(topic=f"电梯{XSS}", description=f"加装电梯困难重重，请关注。{XSS}").status_code == 302
    lead = Lead.objects.get()
    assert "<" not in lead.topic + lead.description
    # Whatever reaches the database (an older row, an admin edit) is escaped on every page.
    Lead.objects.filter(pk=lead.pk).update(topic=f"电梯{XSS}", description=XSS, contact=XSS)
    for url in (reverse("leads:moderate"), reverse("leads:detail", args=[lead.pk])):
        page = web(staff).get(url).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page, url
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page, url


def test_a_resent_form_escapes_what_was_typed(committee):
    page = send_lead(topic=XSS, description="短").content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page


# ---- moderation ------------------------------------------------------------------------------------

def test_staff_see_pending_leads_of_their_committee_with_the_contact(lead, staff, web):
    Lead.objects.filter(pk=lead.pk).update(contact="13900000000")
    page = web(staff).get(reverse("leads:moderate")).content.decode()
    assert "公交线路优化" in page and "13900000000" in page


def test_staff_accept_a_lead(lead, staff, web):
    response = web(staff).post(reverse("leads:decide", args=[lead.pk]), {"decision": "accept", "note": "有参考价值"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.status, lead.moderated_by, lead.moderation_note) == ("accepted", staff, "有参考价值")
    assert AuditEvent.objects.filter(action="lead.accepted", actor=staff, to_state="accepted").exists()


def test_staff_reject_a_lead_as_spam_and_members_never_see_it(lead, staff, member, web):
    web(staff).post(reverse("leads:decide", args=[lead.pk]), {"decision": "reject"})
    lead.refresh_from_db()
    assert lead.status == "rejected"
    assert "公交线路优化" not in web(member).get(reverse("leads:browse")).content.decode()
    assert web(member).get(reverse("leads:detail", args=[lead.pk])).status_code == 404


def test_a_lead_is_moderated_once(accepted, staff):
    with pytest.raises(InvalidState):
        workflow.reject_lead(accepted, actor=staff)


def test_only_staff_of_the_committee_moderate(lead, accepted, member, outsider, leader, web):
    with pytest.raises(NotAllowed):
        workflow.reject_lead(accepted, actor=member)  # may see it (accepted), may not moderate: 403
    other = workflow.submit_lead(committee=lead.committee, topic="养老服务", description="社区养老服务站点太少了。")
    with pytest.raises(NotFound):
        workflow.accept_lead(other, actor=member)  # pending: a member does not even see it
    assert web(member).get(reverse("leads:moderate")).status_code == 403
    assert web(leader).get(reverse("leads:moderate")).status_code == 403
    assert web(member).post(reverse("leads:decide", args=[other.pk]), {"decision": "accept"}).status_code == 403
    other.refresh_from_db()
    assert other.status == "pending"


def test_staff_of_another_committee_get_404(lead, outsider, committee, web):
    from jianyan.people.models import Committee, Profile, Role

    elsewhere = Committee.objects.create(code="cq", name="政协城区委员会", short_name="城区政协", place="城区")
    Profile.objects.filter(user=outsider).update(role=Role.STAFF, committee=elsewhere)
    assert web(outsider).get(reverse("leads:detail", args=[lead.pk])).status_code == 404
    assert web(outsider).post(reverse("leads:decide", args=[lead.pk]), {"decision": "accept"}).status_code == 404
    assert "公交线路优化" not in web(outsider).get(reverse("leads:moderate")).content.decode()
    lead.refresh_from_db()
    assert lead.status == "pending"


# ---- members ---------------------------------------------------------------------------------------

def test_members_browse_accepted_leads_without_the_contact(accepted, member, web):
    Lead.objects.filter(pk=accepted.pk).update(contact="13900000000")
    listing = web(member).get(reverse("leads:browse")).content.decode()
    assert "公交线路优化" in listing
    page = web(member).get(reverse("leads:detail", args=[accepted.pk])).content.decode()
    assert "城东新区" in page and "13900000000" not in page and "据此撰写提案" in page


def test_a_member_turns_a_lead_into_a_draft_and_the_link_is_kept(accepted, member, web):
    client = web(member)
    response = client.post(reverse("leads:draft", args=[accepted.pk]))
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("proposals:edit", args=[proposal.pk])
    assert (proposal.state, proposal.title, proposal.created_by) == ("draft", "公交线路优化", member)
    assert "城东新区" in proposal.background and f"线索第{accepted.pk}号" in proposal.background
    link = LeadDraft.objects.get()
    assert (link.lead, link.proposal, link.created_by) == (accepted, proposal, member)
    assert AuditEvent.objects.filter(action="lead.drafted", proposal=proposal).exists()
    # Asking again gives back the same draft, and the lead page links to it.
    client.post(reverse("leads:draft", args=[accepted.pk]))
    assert Proposal.objects.count() == 1
    assert reverse("proposals:detail", args=[proposal.pk]) in client.get(
        reverse("leads:detail", args=[accepted.pk])).content.decode()


def test_two_members_each_draft_from_one_lead(accepted, member, cosigner):
    first = workflow.draft_from_lead(accepted, actor=member)
    second = workflow.draft_from_lead(accepted, actor=cosigner)
    assert first != second and accepted.drafts.count() == 2


def test_a_pending_lead_cannot_be_drafted(lead, member, web):
    with pytest.raises(NotFound):
        workflow.draft_from_lead(lead, actor=member)
    assert web(member).post(reverse("leads:draft", args=[lead.pk])).status_code == 404
    assert not Proposal.objects.exists()


def test_staff_and_outsiders_cannot_draft(accepted, staff, outsider, liaison, web):
    with pytest.raises(NotAllowed):
        workflow.draft_from_lead(accepted, actor=staff)
    assert web(outsider).post(reverse("leads:draft", args=[accepted.pk])).status_code == 404
    assert web(liaison).get(reverse("leads:detail", args=[accepted.pk])).status_code == 404
    assert web(outsider).get(reverse("leads:browse")).status_code in (200, 403)
    assert "公交线路优化" not in web(outsider).get(reverse("leads:browse")).content.decode()
    assert not Proposal.objects.exists()


def test_lead_pages_need_a_login_except_the_form(accepted, db):
    client = Client()
    for url in (reverse("leads:browse"), reverse("leads:moderate"), reverse("leads:detail", args=[accepted.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_drafting_needs_post(accepted, member, web):
    assert web(member).get(reverse("leads:draft", args=[accepted.pk])).status_code == 405


def test_invalid_input_in_the_workflow_is_a_chinese_error(committee):
    with pytest.raises(InvalidInput) as e:
        workflow.submit_lead(committee=committee, topic="  ", description="x" * 5000)
    assert e.value.fields == {"topic": "请填写主题", "description": "内容最多 3000 个字"}


def test_lists_run_a_constant_number_of_queries(committee, staff, member, web, django_assert_max_num_queries):
    for i in range(12):
        lead = workflow.submit_lead(committee=committee, topic=f"线索{i}", description="具体的问题描述和建议内容。")
        if i % 2:
            workflow.accept_lead(lead, actor=staff)
    staff_client, member_client = web(staff), web(member)
    staff_client.get(reverse("leads:moderate"))
    member_client.get(reverse("leads:browse"))
    with django_assert_max_num_queries(14):
        assert staff_client.get(reverse("leads:moderate") + "?status=accepted").status_code == 200
    with django_assert_max_num_queries(12):
        assert member_client.get(reverse("leads:browse")).status_code == 200
