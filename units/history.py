"""Who changed what, when and how: the history every app's models keep (django-simple-history).

Every tracked model has `history = History(...)` (or is registered with it, for translated
models): each save and delete writes a historical row with the values after the change, the
user, and how the change came (`history_change_reason`): "page", "admin", "import roolit.xlsx",
"command load_demo". The pages and the admin set the user and the how through the middleware;
commands and imports say how with `recording()`; bulk writes record their rows in bulk.
"""

from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

_how = ContextVar("vastuu_history_how", default="")
_user = ContextVar("vastuu_history_user", default=None)
_deleted = ContextVar("vastuu_history_deleted", default=None)

# How a change came, as history_change_reason begins; the rest names the file or command.
HOW_LABELS = {"page": _("on a page"), "admin": _("in the admin"), "import": _("by an import"),
              "command": _("by a command")}


@contextmanager
def recording(how, user=None):
    """Within the block, record changes as made `how` ("import roolit.xlsx") by `user`."""
    tokens = _how.set(how), _user.set(user)
    try:
        yield
    finally:
        _how.reset(tokens[0])
        _user.reset(tokens[1])


def current_how():
    """Return how the changes being made now come, as recording() said ("" if unsaid)."""
    return _how.get()


def current_user():
    """Return the user recording() names for the changes being made now, or None."""
    return _user.get()


class History(HistoricalRecords):
    """Historical records that say how each change came, and record bulk deletes in bulk."""

    def get_change_reason_for_object(self, instance, history_type, using):
        """Return the object's own change reason, else how the changes come now."""
        return super().get_change_reason_for_object(instance, history_type, using) or (
            current_how())

    def get_history_user(self, instance):
        """Return the user recording() names, else the object's or the request's."""
        return current_user() or super().get_history_user(instance)

    def post_delete(self, instance, using=None, **kwargs):
        """Record the deletion; within deleting_in_bulk(), keep the row for one insert."""
        buffer = _deleted.get()
        if buffer is None:
            return super().post_delete(instance, using=using, **kwargs)
        historical_model = getattr(instance, self.manager_name).model
        buffer[historical_model].append(historical_model(
            history_date=timezone.now(), history_type="-",
            history_user=self.get_history_user(instance),
            history_change_reason=self.get_change_reason_for_object(instance, "-", using),
            **{field.attname: getattr(instance, field.attname)
               for field in self.fields_included(instance)}))
        return None


@contextmanager
def deleting_in_bulk():
    """Within the block, write the history of deleted objects with one insert per model.

    A role deleted with its hundred assignments then records them in a few queries, not a
    hundred. The rows are written when the block ends, in the same transaction.
    """
    buffer = defaultdict(list)
    token = _deleted.set(buffer)
    try:
        yield
    finally:
        _deleted.reset(token)
    for historical_model, rows in buffer.items():
        historical_model.objects.bulk_create(rows)


def record_bulk(model, objects, *, update, user=None, how=None):
    """Write the history of `objects` of `model`, saved in bulk: one insert for them all."""
    model.history.bulk_history_create(
        objects, update=update, default_user=user or current_user(),
        default_change_reason=how if how is not None else current_how())
