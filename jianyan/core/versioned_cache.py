"""Values computed from the database and kept in the cache until the data under them changes: the public
site's pages and figures (one version for everything published), the staff's counts of finished proposals
(one version per committee). Whatever changes that data bumps the version on commit; every key carries the
version, so a bump makes the old values unreachable at once (they expire by themselves). The timeout bounds
what a process's own memory cache can miss: another process's bump, when there is no shared REDIS_URL cache.

A value past its timeout is recomputed by one request while the others keep getting the old one (stale while
revalidate): at a million proposals some figures take a second, and when one expired every visitor of that
second used to compute it at once, several parallel queries stalling the whole server (bench/load_bench.py)."""

import hashlib
import time

from django.core.cache import cache

KEEP_STALE = 10  # a value stays in the cache this many timeouts, to be served while it is being recomputed
REFRESH_LOCK_SECONDS = 30  # if the request recomputing a value fails, another one tries after this


class VersionedCache:
    def __init__(self, prefix: str, timeout: int):
        self.prefix = prefix
        self.timeout = timeout

    def version_key(self, scope="") -> str:
        return f"{self.prefix}:version:{scope}"

    def version(self, scope="") -> str:
        return str(cache.get_or_set(self.version_key(scope), time.time_ns, timeout=None))

    def bump(self, scope="") -> None:
        cache.set(self.version_key(scope), time.time_ns(), timeout=None)

    def entry_key(self, name: str, *key, scope="") -> str:
        digest = hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest() if key else ""
        return f"{self.prefix}:{name}:{scope}:{self.version(scope)}:{digest}:swr"

    def get_or_set(self, name: str, compute, *key, scope="", timeout: int | None = None):
        """compute(), kept under the scope's current version for `name` and the key's values, fresh for
        `timeout` seconds (default: the cache's)."""
        timeout = timeout or self.timeout
        entry_key = self.entry_key(name, *key, scope=scope)
        entry = cache.get(entry_key)
        if entry is not None:
            value, fresh_until = entry
            if time.time() < fresh_until or not self.claim_refresh(entry_key):
                return value
        value = compute()
        cache.set(entry_key, (value, time.time() + timeout), timeout=timeout * KEEP_STALE)
        if entry is not None:
            cache.delete(f"{entry_key}:refreshing")
        return value

    @staticmethod
    def claim_refresh(entry_key: str) -> bool:
        """True for the one caller that recomputes an expired value (an atomic add in the shared cache)."""
        return cache.add(f"{entry_key}:refreshing", 1, timeout=REFRESH_LOCK_SECONDS)
