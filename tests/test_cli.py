"""The `jianyan` command itself: names with dashes, and a clear message on a database never migrated."""

import os
import subprocess
import sys


def run_jianyan(*args, env_extra=None):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "jianyan", *args], capture_output=True, text=True, env=env,  # noqa: S603 - our own command, fixed arguments
                          timeout=120)


def test_a_database_never_migrated_gets_a_message_not_a_traceback(tmp_path):
    empty = tmp_path / "empty.sqlite3"
    result = run_jianyan("stats", "--year", "2024", env_extra={"DATABASE_URL": f"sqlite:///{empty}"})
    assert result.returncode != 0
    assert "数据库尚未初始化" in result.stderr and "jianyan migrate" in result.stderr
    assert "Traceback" not in result.stderr


def test_dashes_name_the_command_with_underscores():
    result = run_jianyan("textlab-eval", "--help")
    assert result.returncode == 0 and "textlab" in result.stdout.lower()
