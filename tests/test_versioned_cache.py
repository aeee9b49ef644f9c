"""The versioned cache behind the public pages and the staff's finished counts: a value is computed once per
version of its scope, and a bump of one scope recomputes that scope's values only."""

from jianyan.core.versioned_cache import VersionedCache


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
