"""Form pieces every app's pages share."""

from django import forms


class DateInput(forms.DateInput):
    """The browser's date picker; it sends and expects ISO dates whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        """Render the value as an ISO date, the one format a date input reads."""
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ServiceErrorsMixin:
    """Put the ValidationError of a service on the form's fields, or above them."""

    def add_service_error(self, error):
        """Add `error` to the field it names when the form has it, otherwise to the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, messages in error.error_dict.items():
            self.add_error(field if field in self.fields else None, messages)
