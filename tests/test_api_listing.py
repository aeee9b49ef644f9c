"""GET /api/v1/proposals: filtered to what the user may see, paged, in a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jianyan.handling import workflow as handling


@pytest.fixture
def many(stage, build, member, unit_gxj):
    """45 submitted proposals of member1, then 10 joint ones assigned to two units (the newest)."""
    for i in range(45):
        build.submitted(member, title=f"关于第{i}项民生实事的提案")
    return [stage.assigned(title=f"关于产业转型第{i}项措施的提案") for i in range(10)]


def count_queries(client, params) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("proposals", params)
    assert response.status_code == 200, response.content
    return len(queries), response.json()


def test_the_list_runs_the_same_number_of_queries_whatever_the_page_size(
    many, api, staff, member, liaison, admin_user, django_assert_num_queries
):
    for user, total in ((staff, 55), (member, 55), (liaison, 10), (admin_user, 55)):
        client = api(user)
        client.get("proposals")  # the first use of a token records it; later ones within a minute do not
        small, page5 = count_queries(client, {"page_size": 5})
        assert len(page5["items"]) == 5
        with django_assert_num_queries(small):
            page50 = client.get("proposals", {"page_size": 50}).json()
        assert (page50["total"], len(page50["items"])) == (total, min(50, total)), user
        # Items carry their relations: proposers, units and category.
        newest = page50["items"][0]
        assert [p["username"] for p in newest["proposers"]] == ["member1", "member2"]
        assert [(u["name"], u["mode"]) for u in newest["units"]] == [("市工信局", "lead"), ("市科技局", "co")]
        assert newest["category"]["name"] == "产业转型"
        assert newest["display_number"] == "第0010号"


def test_paging_reports_total_page_and_page_size(api, build, member, staff):
    for i in range(25):
        build.submitted(member, title=f"关于第{i}项民生实事的提案")
    s = api(staff)
    first = s.get("proposals", {"page_size": 10}).json()
    third = s.get("proposals", {"page_size": 10, "page": 3}).json()
    beyond = s.get("proposals", {"page_size": 10, "page": 99}).json()
    assert (first["total"], first["page"], first["page_size"], len(first["items"])) == (25, 1, 10, 10)
    assert (third["page"], [x["title"] for x in third["items"]]) == (
        3, [f"关于第{i}项民生实事的提案" for i in range(4, -1, -1)])
    assert beyond["items"] == [] and beyond["total"] == 25
    ids = [x["id"] for x in first["items"]]
    assert ids == sorted(ids, reverse=True)  # newest first
    assert s.get("proposals").json()["page_size"] == 20


def test_an_outsider_sees_nothing_of_the_committee(api, stage, outsider, unit_gxj):
    stage.assigned()
    stage.submitted(title="关于优化营商环境的提案")
    o = api(outsider)
    for params in ({}, {"unit": unit_gxj.pk}, {"state": "assigned"}, {"q": "提案"}):
        body = o.get("proposals", params).json()
        assert (body["total"], body["items"]) == (0, []), params


def test_a_unit_sees_only_what_is_assigned_to_it(api, stage, build, member, staff, themes, unit_kjj, liaison,
                                                liaison2):
    both = stage.assigned(title="两个单位办理")
    kjj_only = handling.assign_proposal(
        build.registered(member, staff, themes[1], title="科技局主办"), actor=staff,
        units=[{"unit": unit_kjj.pk, "mode": "lead"}])
    build.registered(member, staff, themes[2], title="尚未交办")
    build.submitted(member, title="尚未立案")

    def titles(user, **params):
        return [x["title"] for x in api(user).get("proposals", params).json()["items"]]

    assert titles(liaison) == ["两个单位办理"]
    assert titles(liaison2) == ["科技局主办", "两个单位办理"]
    assert titles(liaison2, unit=unit_kjj.pk) == ["科技局主办", "两个单位办理"]
    assert titles(staff, unit=unit_kjj.pk) == [kjj_only.title, both.title]
    assert titles(staff) == ["尚未立案", "尚未交办", "科技局主办", "两个单位办理"]


def test_members_see_their_own_and_joint_proposals_and_staff_no_drafts(api, stage, build, member, cosigner, clerk,
                                                                       staff, leader):
    stage.submitted(title="联名提案")
    build.draft(member, title="张委员的草稿")
    build.submitted(cosigner, title="李委员自己的提案")
    build.submitted(clerk, title="民革的集体提案")

    def titles(user):
        return sorted(x["title"] for x in api(user).get("proposals").json()["items"])

    assert titles(member) == ["张委员的草稿", "联名提案"]
    assert titles(cosigner) == ["李委员自己的提案", "联名提案"]
    assert titles(clerk) == ["民革的集体提案"]
    assert titles(staff) == titles(leader) == ["李委员自己的提案", "民革的集体提案", "联名提案"]


def test_filters_by_year_session_state_category_unit_and_title(api, stage, build, member, staff, themes, session,
                                                               unit_gxj):
    assigned = stage.assigned(title="关于加快传统产业改造升级的提案")
    registered = build.registered(member, staff, themes[3], title="关于发展普惠托育服务的提案")
    submitted = build.submitted(member, title="关于改善老旧小区电梯的提案")
    s = api(staff)

    def ids(**params):
        response = s.get("proposals", params)
        assert response.status_code == 200, response.content
        return {x["id"] for x in response.json()["items"]}

    everything = {assigned.pk, registered.pk, submitted.pk}
    assert ids() == everything
    assert ids(year=session.year) == everything
    assert ids(year=session.year - 1) == set()
    assert ids(session=session.pk) == everything
    assert ids(state="registered") == {registered.pk}
    assert ids(state="submitted") == {submitted.pk}
    assert ids(category=themes[3].pk) == {registered.pk}
    assert ids(unit=unit_gxj.pk) == {assigned.pk}
    assert ids(q="托育") == {registered.pk}
    assert ids(q="提案", state="assigned") == {assigned.pk}
    # Empty parameters, as an HTML form sends them, mean "no filter".
    assert ids(year="", state="", q="", page="") == everything


@pytest.mark.parametrize("params, field", [
    ({"page": "abc"}, "page"),
    ({"page": "0"}, "page"),
    ({"page": "1.5"}, "page"),
    ({"page_size": "101"}, "page_size"),
    ({"page_size": "-5"}, "page_size"),
    ({"state": "bogus"}, "state"),
    ({"year": "99999999999999999999999999"}, "year"),
    ({"unit": "99999999999999999999999999"}, "unit"),
    ({"category": "二"}, "category"),
    ({"session": "1; DROP TABLE"}, "session"),
    ({"page": "9" * 5000}, "page"),
])
def test_bad_list_parameters_are_a_400_naming_the_field(api, staff, params, field):
    response = api(staff).get("proposals", params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]


def test_the_list_needs_a_login(api, db):
    response = api().get("proposals")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
