"""The project's own plumbing: migrations in step with models, production settings pass the deploy check,
the `jianyan` command wraps management commands, demo logins are refused in production."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_no_pending_migrations():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "x" * 30 + "-production-secret-key-for-the-check-0987654321",
           "ALLOWED_HOSTS": "jianyan.example.org", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DEBUG="0", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_jianyan_command_maps_dashes_to_management_commands():
    result = subprocess.run([sys.executable, "-m", "jianyan", "db-worker", "--help"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "usage: jianyan db_worker" in result.stdout


def test_demo_accounts_are_refused_in_production_unless_allowed(settings, member):
    member.profile.is_demo = True
    member.profile.save()
    settings.DEBUG = False
    settings.JIANYAN_ALLOW_DEMO = False
    assert authenticate(username="member1", password="demo-pass-2024") is None
    settings.JIANYAN_ALLOW_DEMO = True
    assert authenticate(username="member1", password="demo-pass-2024") == member


def redis_answers() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_answers(), reason="no Redis at 127.0.0.1:6379")
def test_redis_url_gives_every_process_one_shared_cache(tmp_path):
    """Two processes see one cache (rate limits, the public site's cached counts) when REDIS_URL is set."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "REDIS_URL": "redis://127.0.0.1:6379/15"}
    script = ("import django, sys; django.setup(); from django.core.cache import cache; "
              "cache.set('shared', 'x1') if sys.argv[1] == 'set' else print(cache.get('shared'))")
    for step in ("set", "get"):
        result = subprocess.run([sys.executable, "-c", script, step], cwd=ROOT, env=env, capture_output=True,  # noqa: S603
                                text=True, timeout=60, check=True)
    assert result.stdout.strip() == "x1"


def read_in_forked_child(cache, key, results):
    results.put(cache.get(key))


@pytest.mark.skipif(not redis_answers(), reason="no Redis at 127.0.0.1:6379")
def test_the_redis_cache_makes_one_client_and_works_across_a_fork():
    """jianyan.core.redis_cache: every call uses the same redis client (Django builds a new one per call), and
    a gunicorn worker forked after the master used the cache still gets its values over its own connection."""
    import multiprocessing

    from jianyan.core.redis_cache import SharedClientRedisCache

    cache = SharedClientRedisCache("redis://127.0.0.1:6379/15", {"KEY_PREFIX": "jianyan-test-shared-client"})
    cache.clear()
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    cache.set("figure", {"total": 387})
    assert cache.get("figure") == {"total": 387}
    assert cache.add("figure", 1) is False
    assert cache.add("count", 1) is True
    assert cache.incr("count") == 2
    cache.delete("figure")
    assert cache.get("figure") is None
    cache.set("figure", "before the fork")
    results = multiprocessing.get_context("fork").Queue()
    child = multiprocessing.get_context("fork").Process(target=read_in_forked_child, args=(cache, "figure", results))
    child.start()
    child.join(30)
    assert results.get(timeout=5) == "before the fork"
    assert cache.get("figure") == "before the fork"  # the parent's connection still works after the fork
    cache.clear()


def test_a_server_process_freezes_what_it_loaded_at_start(tmp_path):
    """jianyan.wsgi (what gunicorn loads) imports the views and moves the start-up objects out of the garbage
    collector's reach, so a full collection during a request scans only what requests made."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    script = ("import gc, sys, time; import jianyan.wsgi; "
              "t = time.perf_counter(); gc.collect(); ms = (time.perf_counter() - t) * 1000; "
              "print(gc.get_freeze_count(), 'jianyan.workspace.views.home' in sys.modules, ms)")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True,  # noqa: S603
                            text=True, timeout=120, check=True)
    frozen, views_loaded, _ = result.stdout.split()
    assert int(frozen) > 50_000 and views_loaded == "True", result.stdout
