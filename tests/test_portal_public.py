"""The public site: a published, redacted proposal shows only its redacted text in every channel (page,
list, search, feed, sitemap, open data, API); a secret one appears nowhere; lists run constant queries."""

import json

import pytest
from disclosure_support import PHONE, published, replied_proposal
from django.urls import reverse

from jianyan.disclosure import workflow
from jianyan.disclosure.redaction import MASK

SECRET_TITLE = "关于优化公交线网布局的提案"


@pytest.fixture
def public_set(member, staff, liaison, themes, unit_gxj):
    cast = (member, staff, liaison, themes[0], unit_gxj)
    redacted = published(*cast, background=f"老旧小区加装电梯协调难，请联系{PHONE}。",
                         redactions={"body": [PHONE]})
    pension = published(*cast, title="关于完善社区养老服务的提案", background="社区养老服务设施不足。",
                        suggestions=["加强养老护理人员培训。"], reply_body="我局推动养老机构与医疗机构签约合作。")
    body_only = published(*cast, title="关于老旧小区改造的提案", background="推进既有住宅加装电梯。",
                          reply_body="已落实补贴政策。")
    secret = replied_proposal(*cast, title=SECRET_TITLE, background="公交线网覆盖不足。",
                              reply_body="我局优化公交线网。")
    workflow.approve_publication(secret, actor=staff)
    workflow.mark_secret(secret, actor=staff, note="涉密")
    return {"redacted": redacted, "pension": pension, "body_only": body_only, "secret": secret}


def assert_public(text: str, public_set):
    assert PHONE not in text
    assert SECRET_TITLE not in text
    assert "公交线网覆盖不足" not in text


def test_the_proposal_page_shows_only_the_redacted_text(client, public_set):
    pub = public_set["redacted"]
    r = client.get(reverse("portal:proposal", args=[pub.pk]))
    html = r.content.decode()
    assert r.status_code == 200
    assert MASK in html and "加装电梯" in html
    assert_public(html, public_set)
    assert 'property="og:title"' in html and "<script>" not in html
    assert "王局长" not in html  # the reply's signer is not public


def test_the_timeline_shows_public_steps_without_names(client, public_set, staff):
    pub = public_set["redacted"]
    html = client.get(reverse("portal:proposal", args=[pub.pk])).content.decode()
    for step in ("提交", "立案", "交办", "答复"):
        assert step in html
    name = staff.profile.display_name
    assert name not in html


def test_a_secret_proposal_has_no_page(client, public_set):
    secret = public_set["secret"]
    pub = secret.publication
    assert client.get(reverse("portal:proposal", args=[pub.pk])).status_code == 404


def test_lists_and_home_show_no_secret(client, public_set):
    for url in (reverse("portal:home"), reverse("portal:proposals"), reverse("portal:units"),
                reverse("portal:proposals") + "?q=公交"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert_public(r.content.decode(), public_set)


@pytest.mark.parametrize("word, expected", [("养老", ["pension"]), ("电梯", ["redacted", "body_only"]),
                                            ("公交", [])])
def test_search_finds_two_character_words_title_first(client, public_set, word, expected):
    r = client.get(reverse("portal:proposals"), {"q": word})
    html = r.content.decode()
    positions = [html.find(f'href="{reverse("portal:proposal", args=[public_set[k].pk])}"') for k in expected]
    assert all(p > 0 for p in positions)
    assert positions == sorted(positions)
    assert f"共 {len(expected)} 件" in html


def test_searching_a_redacted_passage_finds_nothing(client, public_set):
    r = client.get(reverse("portal:proposals"), {"q": PHONE})
    assert "共 0 件" in r.content.decode()


def test_the_feed_holds_redacted_replies_only(client, public_set):
    r = client.get(reverse("portal:feed"))
    assert r["Content-Type"].startswith("application/atom+xml")
    xml = r.content.decode()
    assert "关于完善社区养老服务的提案" in xml and "养老机构与医疗机构签约合作" in xml
    assert_public(xml, public_set)


def test_the_sitemap_lists_public_pages_only(client, public_set):
    xml = client.get(reverse("portal:sitemap")).content.decode()
    assert reverse("portal:proposal", args=[public_set["pension"].pk]) in xml
    assert reverse("portal:proposal", args=[public_set["secret"].publication.pk]) not in xml


def test_open_data_has_a_stable_field_list_and_redacted_text(client, public_set):
    from jianyan.portal.opendata import FIELDS

    csv_text = client.get(reverse("portal:open_data_csv")).content.decode("utf-8-sig")
    assert csv_text.splitlines()[0] == ",".join(FIELDS)
    assert MASK in csv_text
    assert_public(csv_text, public_set)
    data = json.loads(client.get(reverse("portal:open_data_json")).content)
    assert data["fields"] == FIELDS and len(data["items"]) == 3
    assert all(list(item) == FIELDS for item in data["items"])
    assert_public(json.dumps(data, ensure_ascii=False), public_set)


def test_withdrawn_publications_leave_every_channel(client, public_set, staff):
    pub = public_set["pension"]
    workflow.withdraw_publication(pub, actor=staff)
    assert client.get(reverse("portal:proposal", args=[pub.pk])).status_code == 404
    assert "关于完善社区养老服务的提案" not in client.get(reverse("portal:feed")).content.decode()
    assert "共 0 件" in client.get(reverse("portal:proposals"), {"q": "养老"}).content.decode()


def test_filters_by_theme_unit_class_and_state(client, public_set, themes, unit_gxj):
    url = reverse("portal:proposals")
    assert "共 3 件" in client.get(url, {"unit": unit_gxj.pk, "result_class": "a"}).content.decode()
    assert "共 0 件" in client.get(url, {"theme": themes[1].pk}).content.decode()
    assert "共 0 件" in client.get(url, {"state": "closed"}).content.decode()
    assert client.get(url, {"session": "x", "page": "999", "unit": "-1"}).status_code == 200
    html = client.get(url, {"unit": unit_gxj.pk, "theme": themes[0].pk}).content.decode()
    assert f'<option value="{unit_gxj.pk}" selected>{unit_gxj.name}</option>' in html
    assert f'<option value="{themes[0].pk}" selected>{themes[0].name}</option>' in html
    assert html.count(" selected>") == 2


def test_list_pages_run_a_constant_number_of_queries(client, public_set, member, staff, liaison, themes, unit_gxj,
                                                     django_assert_max_num_queries):
    for i in range(5):
        published(member, staff, liaison, themes[0], unit_gxj, title=f"关于加装电梯的第{i}件提案")
    for params in ({}, {"q": "电梯"}):
        with django_assert_max_num_queries(12):
            client.get(reverse("portal:proposals"), params)


def test_unit_and_statistics_pages(client, public_set, unit_gxj):
    r = client.get(reverse("portal:unit", args=[unit_gxj.pk]))
    assert r.status_code == 200 and "满意率" in r.content.decode()
    r = client.get(reverse("portal:statistics"))
    html = r.content.decode()
    assert r.status_code == 200 and 'id="themes-data"' in html and "vendor/echarts.min.js" in html
    assert "<script>" not in html.replace('<script id="', "")


def test_search_combines_with_filters(client, public_set, themes, unit_gxj):
    url = reverse("portal:proposals")
    assert "共 2 件" in client.get(url, {"q": "电梯", "theme": themes[0].pk}).content.decode()
    assert "共 0 件" in client.get(url, {"q": "电梯", "theme": themes[1].pk}).content.decode()
    assert "共 1 件" in client.get(url, {"q": "养老", "unit": unit_gxj.pk}).content.decode()


def option_ids(options: dict) -> dict:
    return {name: [o.pk for o in options[name]] for name in ("sessions", "themes", "units")}


def test_filter_options_list_only_what_has_publications(public_set, themes, unit_gxj, unit_kjj, session, committee):
    from jianyan.disclosure import public

    expected = {"sessions": [session.pk], "themes": [themes[0].pk], "units": [unit_gxj.pk]}
    assert option_ids(public.filter_options()) == expected
    assert option_ids(public.filter_options(committee.code)) == expected
    assert option_ids(public.filter_options("no-such-committee")) == {"sessions": [], "themes": [], "units": []}


def test_counts_and_options_follow_publish_and_withdraw(client, member, staff, liaison, themes, unit_gxj):
    """The home total, the units page and the filter options are never stale after a publish or a withdrawal,
    although the figures are cached."""
    from jianyan.disclosure import public

    def seen():
        home = client.get(reverse("portal:home")).content.decode()
        units = {u.pk: u.published for u in public.units_with_publications()}
        return home, units.get(unit_gxj.pk), option_ids(public.filter_options())["themes"]

    home, count, option_themes = seen()
    assert "共 0 件" in home and count == 0 and option_themes == []
    first = published(member, staff, liaison, themes[1], unit_gxj, title="关于第一件公开提案")
    home, count, option_themes = seen()
    assert "共 1 件" in home and count == 1 and option_themes == [themes[1].pk]
    assert "1 件" in client.get(reverse("portal:units")).content.decode()
    second = published(member, staff, liaison, themes[2], unit_gxj, title="关于第二件公开提案")
    home, count, option_themes = seen()
    assert "共 2 件" in client.get(reverse("portal:proposals")).content.decode()
    assert "共 2 件" in home and count == 2 and option_themes == [themes[1].pk, themes[2].pk]
    workflow.withdraw_publication(first, actor=staff)
    home, count, option_themes = seen()
    assert "共 1 件" in client.get(reverse("portal:proposals")).content.decode()
    assert "共 1 件" in home and count == 1 and option_themes == [themes[2].pk]
    workflow.mark_secret(second.proposal, actor=staff)
    home, count, option_themes = seen()
    assert "共 0 件" in home and count == 0 and option_themes == []



def test_public_pages_are_read_from_the_cache_until_a_withdrawal(client, public_set, unit_gxj, staff,
                                                                  django_assert_max_num_queries):
    """At a session's opening thousands read the same pages: each page's data is read from the database once
    per publication version (at most the one row its URL names is looked up again), and a withdrawal (like a
    publish) shows at once on every page."""
    pub = public_set["pension"]
    title = "关于完善社区养老服务的提案"
    pages = [reverse("portal:home"), reverse("portal:proposals"), reverse("portal:proposals") + "?q=养老",
             reverse("portal:proposal", args=[pub.pk]), reverse("portal:unit", args=[unit_gxj.pk])]
    statistics = reverse("portal:statistics")
    for url in [*pages, statistics]:
        client.get(url)
    for url in pages:
        with django_assert_max_num_queries(1):
            assert title in client.get(url).content.decode(), url
    with django_assert_max_num_queries(1):
        assert "已公开" in client.get(statistics).content.decode()
    workflow.withdraw_publication(pub, actor=staff)
    assert client.get(reverse("portal:proposal", args=[pub.pk])).status_code == 404
    for url in pages[:3] + pages[4:]:
        assert title not in client.get(url).content.decode(), url
