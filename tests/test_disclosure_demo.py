"""The demo's publications: the redacted demo proposal shows only its redacted text in every public channel,
the secret one appears in none, and searching 养老 / 公交 / 电梯 finds the right demo proposals."""

import json

import pytest
from django.test import override_settings
from django.urls import reverse

from jianyan import search
from jianyan.demo import build_demo, reset_demo
from jianyan.demo.builder import DEMO_PHONE
from jianyan.disclosure import public
from jianyan.disclosure.models import Publication
from jianyan.disclosure.redaction import MASK
from jianyan.proposals.models import Proposal

pytestmark = pytest.mark.slow
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with override_settings(PASSWORD_HASHERS=FAST_HASHER):
            build_demo()
        yield
        reset_demo()


@pytest.fixture
def redacted(demo, db):
    return Publication.objects.exclude(redactions={}).get()


@pytest.fixture
def secret(demo, db):
    return Proposal.objects.get(is_secret=True)


def channels(client, pub_id: int | None = None) -> dict[str, str]:
    pages = {
        "home": reverse("portal:home"), "list": reverse("portal:proposals"),
        "search": reverse("portal:proposals") + "?q=公交", "feed": reverse("portal:feed"),
        "sitemap": reverse("portal:sitemap"), "csv": reverse("portal:open_data_csv"),
        "json": reverse("portal:open_data_json"), "api_list": "/api/v1/public/proposals?page_size=100",
        "api_search": "/api/v1/public/proposals?q=公交&page_size=100",
    }
    if pub_id:
        pages["page"] = reverse("portal:proposal", args=[pub_id])
        pages["api_detail"] = f"/api/v1/public/proposals/{pub_id}"
    out = {}
    for name, url in pages.items():
        r = client.get(url)
        assert r.status_code == 200, url
        out[name] = r.content.decode("utf-8-sig")
        if name.startswith("api") or name == "json":
            out[name] = json.dumps(json.loads(out[name]), ensure_ascii=False)
    return out


def test_the_redacted_demo_proposal_shows_only_redacted_text_everywhere(client, redacted):
    assert DEMO_PHONE in redacted.proposal.background
    for name, text in channels(client, redacted.pk).items():
        assert DEMO_PHONE not in text, name
    texts = channels(client, redacted.pk)
    for name in ("page", "api_detail"):
        assert MASK in texts[name]
    assert redacted.title in texts["search"] and redacted.title in texts["api_search"]


def test_the_secret_demo_proposal_appears_nowhere(client, secret):
    assert not public.public_publications().filter(proposal=secret).exists()
    for name, text in channels(client).items():
        assert secret.title not in text, name
    for word in ("养老", "公交", "电梯"):
        ids = search.search_ids(word, limit=1000)
        assert not Publication.objects.filter(pk__in=ids, proposal=secret).exists()


@pytest.mark.parametrize("word", ["养老", "公交", "电梯"])
def test_search_finds_the_demo_proposals_title_matches_first(demo, db, word):
    ids = search.search_ids(word, limit=1000)
    titles = [Publication.objects.get(pk=i).title for i in ids]
    in_title = [word in t for t in titles]
    assert in_title[0] and in_title == sorted(in_title, reverse=True)
    expected = {p.pk for p in public.public_publications() if word in p.title + p.body + p.reply}
    assert set(ids) == expected
