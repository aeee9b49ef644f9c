"""The `jianyan` command: Django's management commands with Jianyan's settings preset.

`jianyan demo-data` runs the `demo_data` command; dashes and underscores are interchangeable.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianyan.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    args[0] = "jianyan"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
