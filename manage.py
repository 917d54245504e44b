#!/usr/bin/env python
"""Django's command-line utility for Vastuu."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import execute_from_command_line

    from units.history import recording

    # What a command changes is recorded as made by it ("command load_demo").
    with recording(f"command {sys.argv[1]}" if len(sys.argv) > 1 else "command"):
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
