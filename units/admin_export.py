"""The admin's export form, whole under the site's Content-Security-Policy."""

from django import forms
from import_export.forms import SelectableFieldsExportForm


class ExportForm(SelectableFieldsExportForm):
    """django-import-export's export form, its "Select all" box wired from a static file.

    The package's template ties the box to its script with an inline onchange attribute, which
    the Content-Security-Policy blocks; static/js/export-select-all.js attaches the same handler.
    """

    @property
    def media(self):
        """Return the package's scripts and styles, then the script that wires the box."""
        return super().media + forms.Media(js=["js/export-select-all.js"])
