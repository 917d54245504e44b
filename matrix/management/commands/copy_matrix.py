"""Copy one organisation's matrix to another, e.g. a region's template to a new municipality."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from matrix.copying import matrix_copy, matrix_size
from units.models import Organisation


class Command(BaseCommand):
    """Copy the levels, roles and duties of SOURCE to TARGET, without assignments."""

    help = ("Copy the matrix of the organisation SOURCE (levels, roles, duties and their links; "
            "no assignments) to the organisation TARGET, by slug. TARGET's matrix is then a copy "
            "of SOURCE's, and the copy-differences page shows how it changes later.")

    def add_arguments(self, parser):
        parser.add_argument("source", help="The slug of the organisation to copy from.")
        parser.add_argument("target", help="The slug of the organisation to copy to.")
        parser.add_argument(
            "--overwrite", action="store_true",
            help="Replace TARGET's matrix if it has one. This DELETES its levels, roles and "
                 "duties and every assignment to its roles.")
        parser.add_argument(
            "--no-input", "--noinput", action="store_false", dest="interactive",
            help="Overwrite without asking for confirmation.")

    def handle(self, *args, source, target, overwrite, interactive, **options):
        """Copy, after confirming an overwrite, and report what was created and deleted."""
        source, target = self._organisation(source), self._organisation(target)
        if overwrite:
            size = matrix_size(target)
            if size.levels:
                self.stderr.write(self.style.WARNING(
                    f"WARNING: {target.name} already has a matrix. --overwrite deletes "
                    f"{size.describe()}, and nobody holds the deleted roles any more. "
                    "This cannot be undone."))
                if interactive and input("Type 'yes' to replace it: ").strip() != "yes":
                    raise CommandError("Nothing was copied.")
        try:
            result = matrix_copy(source=source, target=target, overwrite=overwrite)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if result.replaced:
            self.stdout.write(f"Deleted the previous matrix of {target.name}: "
                              f"{result.replaced.describe()}.")
        self.stdout.write(self.style.SUCCESS(
            f"Copied the matrix of {source.name} to {target.name}: {result.describe()}."))

    def _organisation(self, slug):
        """Return the organisation `slug`, or fail with the slugs there are."""
        try:
            return Organisation.objects.get(slug=slug)
        except Organisation.DoesNotExist:
            slugs = ", ".join(Organisation.objects.values_list("slug", flat=True)[:20])
            raise CommandError(
                f"No organisation has the slug {slug!r}. Slugs: {slugs or 'none'}.") from None
