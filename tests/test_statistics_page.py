"""The statistics page (reports:stats): who may see it, what it shows, its links to the review queue and
the queue's statistics filters, and its constant number of queries."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from jianyan.handling import workflow as handling
from jianyan.people.models import Committee, Organisation, Sector
from jianyan.proposals import workflow as proposals

URL = "/reports/stats/"


def assigned_and_replied(build, member, staff, theme, unit, liaison, result_class="A", **kw):
    p = build.assigned(member, staff, theme, [{"unit": unit.pk, "mode": "lead"}], **kw)
    handling.sign_assignment(p, actor=liaison)
    handling.submit_reply(p, actor=liaison, result_class=result_class, body="已办理。", signer="王局长")
    return handling.approve_reply(p, actor=staff)


@pytest.fixture
def year_data(session, member, clerk, staff, liaison, unit_gxj, themes, build):
    """Five received proposals: two replied (A and B) by 市工信局, one registered, one collective (民革)
    not assigned, one not registered (R7); and one under review."""
    assigned_and_replied(build, member, staff, themes[0], unit_gxj, liaison, "A", title="关于甲事的提案")
    assigned_and_replied(build, member, staff, themes[1], unit_gxj, liaison, "B", title="关于乙事的提案")
    build.registered(member, staff, themes[0], title="关于丙事的提案")
    build.registered(clerk, staff, themes[3], title="关于丁事的提案")
    proposals.reject_proposal(build.submitted(member, title="关于戊事的提案"), actor=staff, reason_code="R7")
    build.submitted(member, title="关于己事的提案")
    return session.year


def links_of(html: str) -> list[str]:
    return [m.replace("&amp;", "&") for m in re.findall(r'href="(/staff/review/\?[^"]+)"', html)]


# ---- access ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["member", "clerk", "liaison", "outsider"])
def test_others_get_404(web, everyone, who, year_data):
    assert web(everyone[who]).get(URL).status_code == 404


def test_anonymous_is_sent_to_login(web, year_data):
    response = web().get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_staff_and_leader_see_the_figures(web, staff, leader, year_data):
    for user in (staff, leader):
        response = web(user).get(URL)
        assert response.status_code == 200
        html = response.content.decode()
        assert "统计分析" in html and "收到提案" in html and "承办单位办理情况排行" in html
        assert 'id="stats-charts"' in html and "<script>" not in html.replace('<script id="stats-charts"', "")
        assert "js/reports/statistics.js" in html and "vendor/echarts.min.js" in html
        assert response.context["stats"]["received"] == 5
        assert response.context["stats"]["registered"] == 4


def test_the_nav_links_the_page_for_staff_and_leaders_only(web, staff, leader, member, year_data):
    for user in (staff, leader):
        html = web(user).get(URL).content.decode()
        assert f'<a href="{URL}" aria-current="page">统计分析</a>' in html
    assert f'href="{URL}"' not in web(member).get("/workspace/").content.decode()


def test_a_bad_year_falls_back_to_the_latest(web, staff, year_data):
    for raw in ("1990", "abc", "2024' or 1=1", ""):
        response = web(staff).get(URL, {"year": raw})
        assert response.status_code == 200 and response.context["year"] == year_data


def test_the_annual_report_buttons_link_the_documents(web, staff, year_data):
    html = web(staff).get(URL).content.decode()
    assert reverse("documents:annual", kwargs={"year": year_data, "fmt": "docx"}) in html
    assert reverse("documents:annual", kwargs={"year": year_data, "fmt": "pdf"}) in html


def test_a_lower_committee_can_be_chosen_and_has_no_queue_links(web, staff, committee, year_data):
    county = Committee.objects.create(code="cq", name="城区政协", short_name="城区政协", place="城区", parent=committee,
                                      level=Committee.Level.COUNTY)
    html = web(staff).get(URL).content.decode()
    assert 'value="cq"' in html
    response = web(staff).get(URL, {"committee": "cq"})
    assert response.status_code == 200 and response.context["committee"] == county
    assert response.context.get("stats") is None  # the county has no session yet
    assert not links_of(response.content.decode())
    # a committee that is neither the staff's nor under it is not offered: the staff's own is shown
    Committee.objects.create(code="far", name="别处政协", short_name="别处", place="别处")
    assert web(staff).get(URL, {"committee": "far"}).context["committee"] == committee


# ---- links: every count links to the list it counts ------------------------------------------------

def test_each_count_link_opens_a_queue_listing_exactly_that_many(web, staff, year_data, themes, unit_gxj):
    client = web(staff)
    html = client.get(URL).content.decode()
    links = links_of(html)
    assert len(links) > 30
    checked = 0
    for url in set(links):
        query = parse_qs(urlparse(url).query)
        assert query["year"] == [str(year_data)] and query["state"] == ["all"]
    # The cards: received 5, registered 4, replied 2, the unit's replies, class A, reason R7
    stats = client.get(URL).context["stats"]
    for url, expected in [
        (stats["links"]["received"], 5), (stats["links"]["registered"], 4), (stats["links"]["replied"], 2),
        (stats["links"]["collective"], 1), (stats["links"]["not_registered"], 1), (stats["links"]["closed"], 0),
        (stats["class_links"]["A"], 1), (stats["class_links"]["B"], 1), (stats["reason_links"]["R7"], 1),
        (stats["by_unit"][0]["links"]["lead"], 2), (stats["by_unit"][0]["links"]["replied"], 2),
        (stats["breakdowns"]["theme"][0]["links"]["registered"], 2),
        (stats["breakdowns"]["proposer_type"][2]["links"]["registered"], 1),  # party
    ]:
        assert url in links
        response = client.get(url)
        assert response.status_code == 200
        assert response.context["page"].paginator.count == expected, url
        checked += 1
    assert checked == 13


def test_the_queue_keeps_the_statistics_filters_and_ignores_bad_ones(web, staff, year_data, unit_gxj):
    client = web(staff)
    response = client.get("/staff/review/", {"state": "all", "year": year_data, "metric": "replied",
                                             "unit": unit_gxj.pk, "result_class": "A"})
    html = response.content.decode()
    assert response.context["page"].paginator.count == 1
    assert 'name="metric" value="replied"' in html and "已答复" in html and "办理结果 A 类" in html
    for bad in ({"metric": "drop table"}, {"result_class": "Z"}, {"evaluation": "x:y"}, {"unit": "9" * 30},
                {"unit_mode": "boss"}, {"year": "二〇二四"}):
        response = client.get("/staff/review/", {"state": "all", **bad})
        assert response.status_code == 200
        assert response.context["page"].paginator.count == 6  # every submitted-or-later proposal


def test_queue_sector_and_party_filters_match_the_breakdowns(web, staff, member, clerk, party, committee, year_data):
    sector = Sector.objects.create(committee=committee, name="经济界")
    member.profile.sector = sector
    member.profile.save()
    Organisation.objects.create(committee=committee, name="民盟阳泉市委员会", kind=Organisation.Kind.PARTY)
    client = web(staff)
    stats = client.get(URL).context["stats"]
    sector_row = next(r for r in stats["breakdowns"]["sector"] if r["key"] == sector.pk)
    party_row = next(r for r in stats["breakdowns"]["party"] if r["key"] == party.pk)
    assert (sector_row["received"], sector_row["registered"], party_row["registered"]) == (4, 3, 1)
    for row, metric in ((sector_row, "received"), (sector_row, "registered"), (party_row, "registered")):
        assert client.get(row["links"][metric]).context["page"].paginator.count == row[metric]
    assert "民革阳泉市委员会的集体提案" in client.get(party_row["links"]["received"]).content.decode()


def test_leaders_see_the_numbers_without_queue_links(web, leader, year_data):
    html = web(leader).get(URL).content.decode()
    assert not links_of(html)


# ---- cost and layout -------------------------------------------------------------------------------

def test_the_page_runs_a_constant_number_of_queries(web, staff, member, liaison, unit_gxj, themes, build,
                                                     year_data, django_assert_max_num_queries):
    client = web(staff)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    for i in range(6):
        assigned_and_replied(build, member, staff, themes[i % 5], unit_gxj, liaison, "C", title=f"关于新增第{i}事的提案")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(URL).context["stats"]["replied"] == 8
    # Both visits first bring the changed proposals' facts up to date (jianyan.reports.facts): 9 queries on
    # SQLite, 13 on PostgreSQL (a staging table per upsert); without that the page runs 17.
    with CaptureQueriesContext(connection) as fresh:
        assert client.get(URL).status_code == 200
    assert len(fresh.captured_queries) <= 17
    assert len(small.captured_queries) <= 17 + 13


def test_the_page_fits_a_phone(web, staff, year_data):
    html = web(staff).get(URL).content.decode()
    assert 'class="list"' in html  # tables that become cards below 640 px
    assert not re.search(r'style="[^"]*width:\s*\d{4,}px', html)
    assert "<table" in html and 'data-label="收到"' in html


def test_the_queue_with_statistics_filters_runs_a_constant_number_of_queries(
        web, staff, member, liaison, unit_gxj, party, themes, build, year_data):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = web(staff)
    url = (f"/staff/review/?state=all&year={year_data}&metric=replied&unit={unit_gxj.pk}&unit_mode=lead"
           f"&result_class=C&evaluation=result:satisfied&organisation={party.pk}&reason=R7")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for i in range(4):
        assigned_and_replied(build, member, staff, themes[0], unit_gxj, liaison, "C", title=f"关于再添第{i}事的提案")
    assert queries() == few
    assert client.get(url.replace("&organisation=", "&x=").replace("&reason=R7", "").replace(
        "&evaluation=result:satisfied", "")).context["page"].paginator.count == 4
