"""The `jianyan` command: Django's management commands with Jianyan's settings preset.

`jianyan demo-data` runs the `demo_data` command; dashes and underscores are interchangeable.
"""

import os
import sys

NOT_MIGRATED = ("no such table", "does not exist")


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianyan.settings")
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError, ProgrammingError

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    args[0] = "jianyan"
    try:
        execute_from_command_line(args)
    except (OperationalError, ProgrammingError) as e:
        if not any(words in str(e) for words in NOT_MIGRATED):
            raise
        # A database that was never migrated: say what to do rather than print a traceback.
        sys.exit(f"数据库尚未初始化（{e}）。请先运行 `make run`，或运行 `jianyan migrate` 后再试。")


if __name__ == "__main__":
    main()
