"""Pages stay fast with many proposals: a list page runs the same number of queries whatever the number of
proposals, and no page runs more than 20."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jianyan.handling import workflow as handling
from jianyan.supervision import workflow as supervision

pytestmark = pytest.mark.django_db

MAX_QUERIES = 20
FACTS_REFRESH = 13
STATISTICS_PAGES = ("/reports/stats/", "/dashboard/")
"""The statistics page and the dashboard first bring the facts of changed proposals up to date (jianyan.reports.facts): a
fixed number of queries more whatever the number of changes (the stale ids, five reads, three writes; on
PostgreSQL each of the two upserts is a staging table, a COPY, an INSERT and a TRUNCATE)."""

LIST_PAGES = [
    ("member", "/workspace/?tab=all"),
    ("member", "/workspace/?tab=todo"),
    ("member", "/workspace/?tab=active"),
    ("member", "/search/?q=提案"),
    ("member", "/notifications/"),
    ("cosigner", "/workspace/?tab=all"),
    ("staff", "/workspace/"),
    ("staff", "/staff/review/"),
    ("staff", "/staff/review/?state=all"),
    ("staff", "/staff/review/?state=handling&theme=1&proposer_type=joint&q=提案"),
    ("staff", "/staff/assign/"),
    ("staff", "/staff/returns/"),
    ("staff", "/staff/audit/"),
    ("staff", "/staff/key-proposals/"),
    ("staff", "/dashboard/"),
    ("staff", "/search/?q=提案"),
    ("staff", "/notifications/"),
    ("liaison", "/workspace/?tab=to_sign"),
    ("liaison", "/workspace/?tab=handling"),
    ("liaison", "/workspace/?tab=replied"),
    ("liaison2", "/workspace/?tab=co_opinion"),
    ("leader", "/workspace/"),
    ("staff", "/assist/sessions/"),
    ("staff", "/reports/stats/"),
    ("staff", "/staff/publication/"),
    ("staff", "/deadlines/extensions/"),
    ("staff", "/deadlines/overdue/"),
    ("staff", "/supervision/follow-ups/"),
    ("staff", "/supervision/excellent/"),
    ("staff", "/leads/moderate/"),
    ("member", "/supervision/record/"),
    ("member", "/leads/"),
    ("liaison", "/supervision/follow-ups/"),
    ("leader", "/supervision/key-proposals/approvals/"),
    ("leader", "/reports/stats/"),
]


def add_proposals(stage, staff, leader, session, n: int, tag: str) -> list:
    """n proposals in each of several states, built through the workflow, and a key proposal over them."""
    made = []
    for i in range(n):
        title = f"关于第{tag}{i}件测试的提案"
        made += [stage.submitted(title=title + "甲"), stage.registered(title=title + "乙"),
                 stage.return_requested(title=title + "丙"), stage.handling(title=title + "丁"),
                 stage.reply_audit(title=title + "戊"), stage.replied(title=title + "己")]
    registered = [p for p in made if p.state not in ("submitted",)]
    supervision.designate_key_proposal(actor=staff, session=session, topic=f"专题{tag}", proposals=registered,
                                       lead_leader=leader, supervising_leader=leader)
    return made


def count(client, url) -> int:
    cache.clear()  # counted from scratch each time: what some pages keep in the cache is not read again
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def test_list_pages_run_a_constant_number_of_queries(web, everyone, stage, staff, leader, session):
    clients = {name: web(user) for name, user in everyone.items()}
    add_proposals(stage, staff, leader, session, 1, "少")
    few = {(who, url): count(clients[who], url) for who, url in LIST_PAGES}
    add_proposals(stage, staff, leader, session, 5, "多")  # 36 proposals: more than a page of 20
    many = {(who, url): count(clients[who], url) for who, url in LIST_PAGES}
    assert many == few
    over = {page: n for page, n in many.items()
            if n > MAX_QUERIES + (FACTS_REFRESH if page[1] in STATISTICS_PAGES else 0)}
    assert not over, over


def test_every_proposal_page_stays_within_the_limit(web, everyone, stage, staff, leader, session, liaison):
    made = add_proposals(stage, staff, leader, session, 1, "页")
    handling.record_consultation(made[3], actor=liaison, form="phone", date="2024-01-05", participants="张委员",
                                 outcome="沟通")
    for who in ("member", "cosigner", "staff", "liaison", "liaison2", "leader", "admin"):
        client = web(everyone[who])
        for p in made:
            url = reverse("proposals:detail", args=[p.pk])
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            if response.status_code == 404:
                continue
            assert response.status_code == 200
            assert len(ctx.captured_queries) <= MAX_QUERIES, (who, p.state, len(ctx.captured_queries))


def test_the_writing_and_editing_forms_stay_within_the_limit(web, member, build, django_assert_max_num_queries):
    p = build.draft(member)
    client = web(member)
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(reverse("proposals:new"))
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(reverse("proposals:edit", args=[p.pk]))


def test_the_proposal_page_reads_the_proposal_and_its_assignments_once(web, liaison, stage):
    """The access check's read is the detail's read (DETAIL_RELATIONS), and the unit's own assignment is
    found among the assignments the detail read (bench/load_bench.py: the most visited page)."""
    p = stage.handling()
    with CaptureQueriesContext(connection) as ctx:
        response = web(liaison).get(reverse("proposals:detail", args=[p.pk]))
    assert response.status_code == 200
    assert "签收" in response.content.decode() or "答复" in response.content.decode()
    reads = [q["sql"] for q in ctx.captured_queries]
    assert sum(sql.startswith('SELECT "proposals_proposal"."id"') for sql in reads) == 1, reads
    assert sum(sql.startswith('SELECT "handling_assignment"."id"') for sql in reads) == 1, reads


def test_the_member_home_asks_for_invitations_only_when_there_are_some(web, member, cosigner, stage):
    def invitation_reads() -> int:  # selectors.cosign_invitations, the only read ordered by the deadline
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/workspace/")
        assert response.status_code == 200
        return sum('ORDER BY "proposals_proposal"."cosign_deadline"' in q["sql"] for q in ctx.captured_queries)

    stage.submitted()  # the cosigner accepted: nothing waits for them
    client = web(cosigner)
    assert invitation_reads() == 0
    waiting = stage.cosigning(title="关于完善社区养老服务的提案")
    assert invitation_reads() == 1
    assert waiting.title in client.get("/workspace/").content.decode()
