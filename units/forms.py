"""Form pieces every app's pages share."""

from django import forms

from units.history import StaleError, version_of

# The longest search the search boxes take (the pages' and the admin's): a longer one is cut.
SEARCH_MAX_LENGTH = 100


class DateInput(forms.DateInput):
    """The browser's date picker; it sends and expects ISO dates whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        """Render the value as an ISO date, the one format a date input reads."""
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ServiceErrorsMixin:
    """Put the ValidationError of a service on the form's fields, or above them."""

    def add_service_error(self, error):
        """Add `error` to the field it names when the form has it, otherwise to the form.

        A stale save's error also brings the form's version up to date, so that saving again
        after looking is a deliberate choice (VersionedForm).
        """
        if isinstance(error, StaleError) and isinstance(self, VersionedForm):
            self.refresh_version(error.version)
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, messages in error.error_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class VersionedForm(forms.Form):
    """A form of an existing object that carries the version it was read at.

    The service (or, in the admin, the form itself) refuses a save against a newer version:
    units.history.refuse_if_stale(). `versioned` is the object; `versioned_with` its related
    historical querysets that the form edits too (a role's duties).
    """

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, versioned=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.versioned = versioned if versioned is not None else getattr(self, "instance", None)
        if self.versioned is not None and self.versioned.pk is not None and not self.is_bound:
            self.initial["version"] = version_of(self.versioned, self.versioned_with())

    def versioned_with(self):
        """Return the historical querysets of what the form edits with its object: none."""
        return ()

    def posted_version(self):
        """Return the version the form was read at, as posted; None when none was posted."""
        if self.add_prefix("version") not in self.data:
            return None
        return self.cleaned_data.get("version", "")

    def object_data(self, names=None):
        """Return the cleaned data of the object's fields (of `names`), not its version."""
        return {name: value for name, value in self.cleaned_data.items()
                if name != "version" and (names is None or name in names)}

    def refresh_version(self, version):
        """Make a bound form carry `version`, the object's version now."""
        if self.is_bound:
            self.data = self.data.copy()
            self.data[self.add_prefix("version")] = version
