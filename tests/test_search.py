"""The search interface over publications: two-character words inside longer words, title matches first,
every query word required, bad input harmless; on PostgreSQL with and without pg_trgm."""

import pytest
from disclosure_support import published
from django.db import connection

from jianyan import search
from jianyan.search import postgres
from jianyan.search.text import index_words, query_words


@pytest.fixture
def cast(member, staff, liaison, themes, unit_gxj):
    return member, staff, liaison, themes[0], unit_gxj


def test_index_words_include_the_two_character_pieces_of_longer_words():
    words = index_words("推进既有住宅加装电梯，完善养老服务").split()
    assert {"加装电梯", "电梯", "养老服务", "养老"} <= set(words)


def test_query_words_are_distinct_and_bounded():
    assert query_words("电梯 电梯") == ["电梯"]
    assert query_words("") == [] and query_words("，。！") == []
    assert len(query_words("养老" * 200)) <= 8


def test_title_matches_come_first_then_the_newest(cast):
    in_title = published(*cast, title="关于加装电梯的提案", background="协调难。", suggestions=["简化审批。"],
                         reply_body="已简化审批。")
    in_body = [published(*cast, title=f"关于老旧小区改造的第{i}件提案", background="加装电梯补贴不足。",
                         reply_body="落实电梯补贴。") for i in range(2)]
    assert search.search_ids("电梯") == [in_title.pk, in_body[1].pk, in_body[0].pk]
    assert search.search_ids("电梯", limit=2, offset=1) == [in_body[1].pk, in_body[0].pk]
    assert search.count("电梯") == 3


def test_every_query_word_must_match(cast):
    a = published(*cast, title="关于完善社区养老服务的提案", background="养老设施不足。", suggestions=["加强培训。"],
                  reply_body="推动签约。")
    published(*cast, title="关于加装电梯的提案", background="协调难。", suggestions=["简化审批。"], reply_body="已简化。")
    assert search.search_ids("社区养老") == [a.pk]
    assert search.search_ids("养老 电梯") == []


@pytest.mark.parametrize("query", ['"', "' OR 1=1 --", "a AND", "NEAR(", "\\", "%_%", "电梯\x00", "*", "title:"])
def test_odd_queries_never_fail(cast, query):
    published(*cast)
    assert isinstance(search.search_ids(query), list)
    assert isinstance(search.count(query), int)


def test_paging(cast):
    pubs = [published(*cast, title=f"关于加装电梯第{i}件的提案") for i in range(3)]
    first, rest = search.search_ids("电梯", limit=1), search.search_ids("电梯", limit=5, offset=1)
    assert len(first) == 1 and len(rest) == 2
    assert set(first + rest) == {p.pk for p in pubs}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_postgres_works_without_trigrams_as_in_a_c_ctype_database(cast, monkeypatch):
    pub = published(*cast, title="关于推进新能源公交车更新的提案", background="公交线网覆盖不足。")
    monkeypatch.setitem(postgres._trigrams, connection.settings_dict["NAME"], False)
    assert search.search_ids("公交") == [pub.pk]
    assert search.search_ids("公交车") == [pub.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_postgres_trigrams_find_substrings_the_segmenter_split_differently(cast):
    with connection.cursor() as cursor:
        if not postgres.ctype_supports_trigrams(cursor):
            pytest.skip("this database's LC_CTYPE hides Chinese from pg_trgm")
    pub = published(*cast, title="关于推进新能源公交车更新的提案", background="公交线网覆盖不足。")
    assert postgres.use_trigrams()
    assert search.search_ids("能源公交") == [pub.pk]


def test_the_reindex_command_rebuilds_from_public_publications_only(cast):
    from io import StringIO

    from django.core.management import call_command

    from jianyan.disclosure import workflow

    kept = published(*cast)
    gone = published(*cast, title="关于加装电梯第二件的提案")
    workflow.withdraw_publication(gone, actor=cast[1])
    search.backend().clear()
    out = StringIO()
    call_command("reindex_public", stdout=out)
    assert "1 件" in out.getvalue()
    assert search.search_ids("电梯") == [kept.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_postgres_falls_back_to_trigrams_when_the_words_find_nothing(cast, monkeypatch):
    with connection.cursor() as cursor:
        if not postgres.ctype_supports_trigrams(cursor):
            pytest.skip("this database's LC_CTYPE hides Chinese from pg_trgm")
    pub = published(*cast, title="关于推进新能源公交车更新的提案", background="公交线网覆盖不足。")
    # As if the segmenter had cut the query into words the index does not hold.
    monkeypatch.setattr(search, "query_words", lambda q: ["不存在的词"])
    assert search.search_ids("源公交车") == [pub.pk]
    assert search.count("源公交车") == 1
    assert search.search_ids("公交车站台") == []
