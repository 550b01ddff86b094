#!/usr/bin/env python
"""Django's command-line utility for coderef."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coderef.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A missing production setting is a configuration mistake, not a crash: one line.
        sys.exit(f"coderef: {exc}")


if __name__ == "__main__":
    main()
