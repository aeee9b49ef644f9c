"""Django's Redis cache with one client object per connection pool instead of one per cache call.

Django's RedisCacheClient.get_client makes a new redis.Redis for every get and set, and redis-py fills ~170
response callbacks into each new one: 0.18 ms of a cached public page's 1.2 ms (cProfile, bench/load_bench.py
database), paid again by every session read. A redis.Redis is safe to share between threads (it takes a
connection from its pool for each command), and after a fork the pool notices the new process and opens new
connections, so one client per pool is enough."""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        if pool not in self._clients:
            self._clients[pool] = self._client(connection_pool=pool)
        return self._clients[pool]


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
