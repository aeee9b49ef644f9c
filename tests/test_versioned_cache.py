"""The versioned cache behind the public pages and the staff's finished counts: a value is computed once per
version of its scope, and a bump of one scope recomputes that scope's values only."""

import datetime as dt

import time_machine
from django.core.cache import cache as django_cache

from jianyan.core.versioned_cache import KEEP_STALE, VersionedCache


def test_a_value_is_computed_once_per_version_of_its_scope():
    cache = VersionedCache("jianyan:test", timeout=60)
    calls = []

    def compute(tag):
        def run():
            calls.append(tag)
            return len(calls)
        return run

    assert cache.get_or_set("n", compute("a1"), scope=1) == 1
    assert cache.get_or_set("n", compute("a1 again"), scope=1) == 1  # kept
    assert cache.get_or_set("n", compute("b"), scope=2) == 2  # another scope
    assert cache.get_or_set("n", compute("a1 page 2"), 2, scope=1) == 3  # another key
    cache.bump(1)
    assert cache.get_or_set("n", compute("a1 after bump"), scope=1) == 4
    assert cache.get_or_set("n", compute("b again"), scope=2) == 2  # scope 2 untouched
    assert calls == ["a1", "b", "a1 page 2", "a1 after bump"]


def test_an_expired_value_is_recomputed_by_one_caller_while_the_others_get_the_old_one():
    cache = VersionedCache("jianyan:test-swr", timeout=60)
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        assert cache.get_or_set("n", compute) == 1
        clock.shift(dt.timedelta(seconds=61))  # expired
        assert cache.claim_refresh(cache.entry_key("n"))  # another process is recomputing it
        assert cache.get_or_set("n", compute) == 1  # the old value meanwhile, without computing
        assert calls == [1]
        django_cache.delete(cache.entry_key("n") + ":refreshing")  # that process failed; its claim lapsed
        assert cache.get_or_set("n", compute) == 2  # this caller recomputes
        assert cache.get_or_set("n", compute) == 2  # and the new value is fresh for everyone
        assert calls == [1, 1]


def test_a_value_long_unread_is_computed_afresh():
    cache = VersionedCache("jianyan:test-gone", timeout=60)
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        assert cache.get_or_set("n", lambda: "old") == "old"
        clock.shift(dt.timedelta(seconds=60 * KEEP_STALE + 1))
        assert cache.get_or_set("n", lambda: "new") == "new"


def test_a_value_can_be_kept_longer_than_the_caches_timeout():
    cache = VersionedCache("jianyan:test-long", timeout=60)
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        assert cache.get_or_set("n", lambda: "first", timeout=600) == "first"
        clock.shift(dt.timedelta(seconds=300))
        assert cache.get_or_set("n", lambda: "second", timeout=600) == "first"  # still fresh
        clock.shift(dt.timedelta(seconds=301))
        assert cache.get_or_set("n", lambda: "third", timeout=600) == "third"
