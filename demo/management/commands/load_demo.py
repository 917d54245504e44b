"""`manage.py load_demo`: load the demo matrices, units, people, devices and logins."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.common import FixtureError
from demo.loader import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo data from the fixture folder: Kuopio's and Salmela's matrices, units, "
        "people and devices. Running it again updates in place. Logins with known passwords "
        "are created only with DEBUG on or --with-logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--with-logins", action="store_true",
            help="Create the demo logins even with DEBUG off (their passwords are public).",
        )
        parser.add_argument(
            "--fixtures", type=Path, default=Path(settings.BASE_DIR) / "fixtures",
            help="The folder of YAML files to load (default: the project's fixtures folder).",
        )

    def handle(self, *args, with_logins, fixtures, **options):
        if not fixtures.is_dir():
            raise CommandError(f"{fixtures} is not a folder.")
        try:
            report = load_demo(folder=fixtures, with_logins=with_logins or settings.DEBUG)
        except FixtureError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Loaded {', '.join(report.files)}:")
        for line in report.lines():
            self.stdout.write(f"  {line}")
        if report.logins:
            self.stdout.write("Demo logins (the passwords are public: for trying Vastuu out only):")
            for username, password, who in report.logins:
                self.stdout.write(f"  {username} / {password}  ({who})")
        if report.logins_skipped:
            self.stdout.write(self.style.WARNING(
                "Logins skipped: their passwords are public. Run with DEBUG on or pass "
                "--with-logins to create them."
            ))
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
