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
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Max, OuterRef, Subquery
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


def log_import(user, model, file_name, summary):
    """Write one entry in the admin's log for a whole import, so the batch can be followed:
    "Import of roolit.xlsx by Maija: 3 new, 12 changed." (Each row's history says the file.)"""
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.create(
        user=user, content_type=ContentType.objects.get_for_model(model), object_id=None,
        object_repr=file_name[:200], action_flag=CHANGE,
        change_message=str(_("Import of %(file)s by %(user)s: %(summary)s") % {
            "file": file_name, "user": _name(user), "summary": summary}))


def record_bulk(model, objects, *, update, user=None, how=None):
    """Write the history of `objects` of `model`, saved in bulk: one insert for them all."""
    model.history.bulk_history_create(
        objects, update=update, default_user=user or current_user(),
        default_change_reason=how if how is not None else current_how())


@dataclass(frozen=True)
class Change:
    """One historical record as a page shows it: what, when, by whom, how, and what changed."""

    at: object
    by: str
    how: str
    kind: str  # "+" created, "~" changed, "-" deleted
    label: str
    fields: tuple  # (field name, old value, new value); values are "" for related objects

    @property
    def kind_label(self):
        return {"+": _("created"), "~": _("changed"), "-": _("deleted")}[self.kind]


def how_label(reason):
    """Return how a change came, in words: "by an import (roolit.xlsx)"."""
    word, _space, rest = (reason or "").partition(" ")
    label = HOW_LABELS.get(word)
    if label is None:
        return reason or ""
    return f"{label} ({rest})" if rest else str(label)


def recent_changes(*sources, limit=10):
    """Return the `limit` latest Changes of `sources`, newest first.

    Each source is (historical queryset, label), where label(record) names the object; select
    what it reads. Two queries a source whatever the history's length: the latest records,
    then the records before them, to tell what changed.
    """
    changes = []
    for queryset, label in sources:
        model = queryset.model
        before = (model.objects.filter(history_id__lt=OuterRef("history_id"),
                                       **{model.instance_type._meta.pk.attname:
                                          OuterRef(model.instance_type._meta.pk.attname)})
                  .order_by("-history_id").values("history_id")[:1])
        records = list(queryset.select_related("history_user").annotate(
            previous_id=Subquery(before)).order_by("-history_date", "-history_id")[:limit])
        previous = model.objects.in_bulk([record.previous_id for record in records
                                          if record.previous_id])
        fields = [field for field in model.instance_type._meta.concrete_fields
                  if field.attname in {f.attname for f in model.tracked_fields}]
        for record in records:
            changes.append(Change(
                at=record.history_date, by=_name(record.history_user), kind=record.history_type,
                how=how_label(record.history_change_reason), label=label(record),
                fields=_differences(fields, previous.get(record.previous_id), record)))
    changes.sort(key=lambda change: change.at, reverse=True)
    return changes[:limit]


def _name(user):
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _differences(fields, before, after):
    """Return (name, old, new) for each field that differs between two historical records."""
    if before is None or after.history_type != "~":
        return ()
    changed = []
    for field in fields:
        old, new = getattr(before, field.attname), getattr(after, field.attname)
        if old == new or field.name in ("updated_at",):
            continue
        related = field.is_relation
        changed.append((str(field.verbose_name), "" if related else _shown(old),
                        "" if related else _shown(new)))
    return tuple(changed)


def _shown(value):
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


# No lost updates: a form carries the version its object was read at, and a save against a
# newer version is refused with what changed meanwhile. A version is the newest history row of
# the object (and of what is edited with it, such as a role's duties).


def version_of(obj, related=()):
    """Return the version `obj` is at, as text: the newest history row's id of the object and
    of each of its related historical querysets (the duties edited inline with their role),
    joined by colons ("512:20"), "" if the model keeps no history or none is recorded yet.

    Each history table counts its ids on its own (on PostgreSQL each has its own sequence), so
    one table's newest id says nothing of another's: each is compared with its own.
    """
    if not hasattr(obj, "history"):
        return ""
    newest = [queryset.aggregate(newest=Max("history_id"))["newest"]
              for queryset in (obj.history.all(), *related)]
    if all(value is None for value in newest):
        return ""
    return ":".join(str(value or 0) for value in newest)


def refuse_if_stale(obj, version, related=()):
    """Raise ValidationError if `obj` has changed since the `version` a form read it at.

    The message says who changed what meanwhile, so the user can look before saving again.
    Lock the object's row first: the check and the save then see the same version.
    """
    if version is None or obj.pk is None:
        return
    current = version_of(obj, related)
    if version == current:
        return
    querysets = (obj.history.all(), *related)
    read = version.split(":")
    sinces = [int(part) if part.isdigit() else 0 for part in read]
    sinces += [0] * (len(querysets) - len(sinces))
    changes = recent_changes(
        *((queryset.filter(history_id__gt=since), str)
          for queryset, since in zip(querysets, sinces, strict=False)), limit=5)
    told = "; ".join(
        f"{change.by or _('someone')} {timezone.localtime(change.at):%d.%m.%Y %H:%M}: "
        + (", ".join(f"{name} {old} → {new}" if old or new else name
                     for name, old, new in change.fields) or str(change.kind_label))
        for change in changes)
    raise StaleError(
        _("Someone else saved this after you opened it, so your changes were not saved. "
          "Meanwhile: %(changes)s. Check the form and save again.") % {"changes": told},
        version=current)


class StaleError(ValidationError):
    """A save refused because the object changed since the form read it; `version` is now."""

    def __init__(self, message, *, version):
        super().__init__(message, code="stale")
        self.version = version
