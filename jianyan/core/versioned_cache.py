"""Values computed from the database and kept in the cache until the data under them changes: the public
site's pages and figures (one version for everything published), the staff's counts of finished proposals
(one version per committee). Whatever changes that data bumps the version on commit; every key carries the
version, so a bump makes the old values unreachable at once (they expire by themselves). The timeout bounds
what a process's own memory cache can miss: another process's bump, when there is no shared REDIS_URL cache."""

import hashlib
import time

from django.core.cache import cache


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

    def get_or_set(self, name: str, compute, *key, scope=""):
        """compute(), kept under the scope's current version for `name` and the key's values."""
        digest = hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest() if key else ""
        return cache.get_or_set(f"{self.prefix}:{name}:{scope}:{self.version(scope)}:{digest}", compute,
                                timeout=self.timeout)
