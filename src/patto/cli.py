"""The `patto` command: the project's manage.py, so every Django command runs through it."""

import os
import sys

#: Commands that work only on scratch data of their own and serve nobody: they need no
#: configured key, so they run on a fresh checkout with nothing set (as the demo does).
SCRATCH_COMMANDS = {"bench"}


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patto.settings")
    if args and args[0] in SCRATCH_COMMANDS and not os.environ.get("SECRET_KEY"):
        os.environ.setdefault("PATTO_DEMO", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["patto", *args])


if __name__ == "__main__":
    main()
