#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys

if sys.version_info < (3, 12):  # noqa: UP036  (fail early, with a message, on an old interpreter)
    sys.exit(
        f"Python 3.12 or newer is required (Django 6.1); this is {sys.version.split()[0]}. "
        "Run `make run`, which builds .venv with the interpreter named in .python-version."
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
