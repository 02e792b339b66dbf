"""The `patto` command: the project's manage.py, so every Django command runs through it."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patto.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["patto", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
