"""Whole public pages kept for anonymous visitors (jianyan.portal.page_cache): served without rendering, each
visitor with a CSRF token of their own, never to a logged-in user or with someone's message, and fresh after
a publication."""

import re

import pytest
from disclosure_support import published
from django.contrib import messages
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import Client, RequestFactory
from django.urls import reverse

from jianyan.disclosure import workflow
from jianyan.portal import page_cache
from jianyan.workspace.context import FONT_COOKIE

TITLE = "关于完善社区养老服务的提案"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def pension(member, staff, liaison, themes, unit_gxj):
    return published(member, staff, liaison, themes[0], unit_gxj, title=TITLE, background="社区养老服务设施不足。")


def without_token(response) -> str:
    html = response.content.decode()
    return html.replace(TOKEN.search(html).group(1), "")


def public_pages(pension, unit) -> list[str]:
    return [reverse("portal:home"), reverse("portal:proposals"), reverse("portal:proposals") + "?q=养老",
            reverse("portal:proposal", args=[pension.pk]), reverse("portal:units"),
            reverse("portal:unit", args=[unit.pk]), reverse("portal:statistics"), reverse("portal:open_data")]


def test_a_second_anonymous_visit_is_served_without_rendering_or_queries(pension, unit_gxj,
                                                                         django_assert_num_queries):
    for url in public_pages(pension, unit_gxj):
        first = Client().get(url)
        with django_assert_num_queries(0):
            again = Client().get(url)
        assert first.status_code == again.status_code == 200, url
        assert first.templates and not again.templates, url
        assert without_token(again) == without_token(first), url


def test_each_visitor_gets_a_token_of_their_own_that_the_forms_accept(pension):
    url = reverse("portal:proposal", args=[pension.pk])
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get(url)
    page = second.get(url)
    html = page.content.decode()
    assert not page.templates  # the cached copy
    assert page_cache.CSRF_HOLE not in html
    token = TOKEN.search(html).group(1)
    assert f'"X-CSRFToken": "{token}"' in html
    assert second.cookies["csrftoken"].value != first.cookies["csrftoken"].value
    refused = first.post(reverse("workspace:font_size"), {"size": "large", "next": url,
                                                         "csrfmiddlewaretoken": token})
    accepted = second.post(reverse("workspace:font_size"), {"size": "large", "next": url,
                                                           "csrfmiddlewaretoken": token})
    assert refused.status_code == 403
    assert accepted.status_code == 302


def test_large_font_mode_has_its_own_copy(pension):
    url = reverse("portal:proposal", args=[pension.pk])
    Client().get(url)
    large = Client()
    large.cookies[FONT_COOKIE] = "large"
    html = large.get(url).content.decode()
    assert 'class="font-large"' in html and 'value="normal"' in html
    assert 'class="font-large"' not in Client().get(url).content.decode()


def test_each_host_name_has_its_own_copy(pension, settings):
    settings.ALLOWED_HOSTS = ["zx.example.cn", "tian.example.cn"]
    url = reverse("portal:proposal", args=[pension.pk])
    Client(HTTP_HOST="zx.example.cn").get(url)
    html = Client(HTTP_HOST="tian.example.cn").get(url).content.decode()
    assert "//tian.example.cn/" in html and "//zx.example.cn/" not in html


def test_a_logged_in_user_never_gets_the_anonymous_page(pension, member):
    url = reverse("portal:proposal", args=[pension.pk])
    Client().get(url)
    browser = Client()
    browser.force_login(member)
    page = browser.get(url)
    assert page.templates and "退出登录" in page.content.decode()


def request_with_message(text: str | None):
    request = RequestFactory().get(reverse("portal:home"))
    SessionMiddleware(lambda r: None).process_request(request)
    MessageMiddleware(lambda r: None).process_request(request)
    from django.contrib.auth.models import AnonymousUser
    request.user = AnonymousUser()
    if text:
        messages.info(request, text)
    return request


def test_a_visitor_with_a_message_is_not_served_a_kept_page():
    assert page_cache.is_cacheable(request_with_message(None))
    request = request_with_message("您已退出登录")
    assert not page_cache.is_cacheable(request)
    assert [str(m) for m in messages.get_messages(request)] == ["您已退出登录"]  # still there to be shown


def test_a_publication_shows_at_once_on_kept_pages(pension, member, staff, liaison, themes, unit_gxj):
    list_url = reverse("portal:proposals")
    for url in (reverse("portal:home"), list_url):
        Client().get(url)
    second = published(member, staff, liaison, themes[0], unit_gxj, title="关于发展社区食堂的提案")
    assert "关于发展社区食堂的提案" in Client().get(list_url).content.decode()
    assert "共 2 件" in Client().get(reverse("portal:home")).content.decode()
    workflow.withdraw_publication(second, actor=staff)
    assert "关于发展社区食堂的提案" not in Client().get(list_url).content.decode()


def test_only_the_addresses_the_pages_read_are_kept(pension):
    """A parameter no public page reads (anyone can add ?x=<random>) or an overlong address is rendered each
    time, never kept: otherwise each variant would be one more copy of the page in the cache."""
    kept = reverse("portal:proposals") + "?q=养老&theme=&page=1"
    odd = reverse("portal:proposals") + "?q=养老&utm_source=x"
    long = reverse("portal:proposals") + "?q=" + "养" * 200
    for url in (kept, odd, long):
        Client().get(url)
    assert not Client().get(kept).templates
    assert Client().get(odd).templates and Client().get(long).templates


def test_a_missing_proposal_is_still_a_404(pension):
    url = reverse("portal:proposal", args=[pension.pk + 1000])
    assert Client().get(url).status_code == 404
    assert Client().get(url).status_code == 404
