"""The admin's answer to input of the wrong shape: ids that are no keys, searches too long.

Django's own change pages take an object id of the wrong kind (`/admin/units/unit/abc/`) for a
missing object. The pages simple_history adds (an object's history, one version of it) and
guardian adds (its permissions) would ask the database with it and fail (500), and so would the
autocomplete widget that shows a submitted choice again. These answer 404 instead, and the
widget leaves such a choice out, as Django's own select does.

A search reads its first SEARCH_MAX_LENGTH characters: a thousand words would each become a
condition on every search field.
"""

from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.http import Http404

from units.forms import SEARCH_MAX_LENGTH


def holds(field, value):
    """Return whether `value` (as a URL or a form gives it) is something `field` can hold.

    Its validators say what the database can hold: a number beyond its integers is no key.
    """
    try:
        field.run_validators(field.to_python(value))
    except ValidationError:
        return False
    return True


def require_key(model, value, field_name=None):
    """Raise Http404 unless `value` can be a key of `model` (its primary key, or `field_name`)."""
    field = model._meta.get_field(field_name) if field_name else model._meta.pk
    if not holds(field, unquote(str(value))):
        raise Http404("Not a key.")


class KeyedOptgroupsMixin:
    """An autocomplete widget that shows again only the submitted choices that can be keys."""

    def optgroups(self, name, value, attr=None):
        """Return the selected options, leaving out values the related key cannot hold."""
        related = self.field.remote_field.model._meta
        to_field = related.get_field(getattr(self.field.remote_field, "field_name", None)
                                     or related.pk.attname)
        return super().optgroups(name, [v for v in value if holds(to_field, v)], attr)


class KeyedAutocompleteSelect(KeyedOptgroupsMixin, AutocompleteSelect):
    """The admin's autocomplete of one related object, calm about a value that is no key."""


class KeyedAutocompleteSelectMultiple(KeyedOptgroupsMixin, AutocompleteSelectMultiple):
    """The admin's autocomplete of several related objects, calm about values that are no key."""


class CappedSearchMixin:
    """An admin whose search (and autocomplete) reads the first SEARCH_MAX_LENGTH characters."""

    def get_search_results(self, request, queryset, search_term):
        """Return the search's results for the start of `search_term`."""
        return super().get_search_results(request, queryset, search_term[:SEARCH_MAX_LENGTH])
