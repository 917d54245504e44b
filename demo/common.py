"""What every demo fixture loader shares: error places, field checks, saving and the report.

A fixture file is edited by hand, so every error names the file and the item it is about:
`fixtures/salmela.yaml › level 'Toimintayksiköt' › role 'laitevastaava' › duty 2 ('Yhteis…'): …`.
"""

from collections import Counter
from dataclasses import dataclass, field

import yaml
from django.core.exceptions import ValidationError


class FixtureError(Exception):
    """A fixture file says something the loader cannot load; the message names file and item."""


@dataclass(frozen=True)
class Where:
    """A place in a fixture file: the file and the path to an item in it."""

    file: str
    path: tuple[str, ...] = ()

    def __truediv__(self, part):
        return Where(self.file, (*self.path, str(part)))

    def __str__(self):
        return " › ".join((self.file, *self.path))

    def error(self, message):
        """Return a FixtureError about this place."""
        return FixtureError(f"{self}: {message}")


@dataclass
class Report:
    """What a load did: objects created and updated per model, duties removed, logins made."""

    files: list[str] = field(default_factory=list)
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    removed: Counter = field(default_factory=Counter)
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    logins_skipped: bool = False
    models: dict = field(default_factory=dict)  # the models met, in order (a dict keeps it)

    def count(self, model, *, created):
        """Count one object of `model` as created or updated."""
        self.models.setdefault(model)
        (self.created if created else self.updated)[model] += 1

    def count_removed(self, model, number):
        """Count `number` objects of `model` as removed."""
        self.models.setdefault(model)
        self.removed[model] += number

    def lines(self):
        """Return the counts as lines of text, one per model, in the order they were loaded."""
        lines = []
        for model in self.models:
            name = model._meta.verbose_name_plural
            total = self.created[model] + self.updated[model]
            line = f"{name}: {total} ({self.created[model]} new)"
            if self.removed[model]:
                line += f", {self.removed[model]} removed"
            lines.append(line)
        return lines


def read_yaml(path, where):
    """Return the data of the YAML file at `path`."""
    try:
        with path.open(encoding="utf-8") as stream:
            return yaml.safe_load(stream)
    except yaml.YAMLError as exc:
        raise where.error(f"this is not valid YAML: {exc}") from None


def fields(value, where, *, required=(), optional=()):
    """Return `value` after checking it is a mapping with the `required` keys and no others."""
    known = (*required, *optional)
    if not isinstance(value, dict):
        raise where.error(f"expected a mapping with the keys {', '.join(known)}")
    unknown = [key for key in value if key not in known]
    if unknown:
        raise where.error(f"unknown key {unknown[0]!r}; expected one of {', '.join(known)}")
    missing = [key for key in required if value.get(key) in (None, "", [])]
    if missing:
        raise where.error(f"{missing[0]!r} is missing")
    return value


def string(data, key, where, default=""):
    """Return `data[key]` checked to be a string (numbers are read as text), stripped."""
    value = data.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise where.error(f"{key!r} should be a piece of text")
    return str(value).strip()


def strings(data, key, where):
    """Return `data[key]` checked to be a list of texts (missing: an empty list)."""
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise where.error(f"{key!r} should be a list of texts, e.g. {key}: [first, second]")
    return [item.strip() for item in value]


def items(data, key, where):
    """Return `data[key]` checked to be a list (missing: an empty list)."""
    value = data.get(key) or []
    if not isinstance(value, list):
        raise where.error(f"{key!r} should be a list, each item starting with '- '")
    return value


def boolean(data, key, where, default):
    """Return `data[key]` checked to be true or false."""
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise where.error(f"{key!r} should be true or false")
    return value


def choice(data, key, where, choices, default=""):
    """Return `data[key]` checked to be one of the values of `choices`, a TextChoices class."""
    value = string(data, key, where, default)
    if value and value not in choices.values:
        raise where.error(f"unknown {key} {value!r}; expected one of {', '.join(choices.values)}")
    return value


def pick(choices, keys, where, what):
    """Return the objects in `choices` (a dict) named by `keys`, or say which name is unknown."""
    unknown = [key for key in keys if key not in choices]
    if unknown:
        raise where.error(
            f"unknown {what} {unknown[0]!r}; expected one of {', '.join(sorted(choices))}"
        )
    return [choices[key] for key in keys]


def short(text, length=40):
    """Return `text` cut to `length` characters, for naming an item in an error."""
    return text if len(text) <= length else f"{text[:length - 1]}…"


def save(obj, where):
    """Validate `obj` with full_clean() and save it; report model errors against `where`."""
    call(obj.full_clean, where)
    obj.save()


def call(write, where, **arguments):
    """Return what `write(**arguments)` returns (a service); report its refusal against `where`."""
    try:
        return write(**arguments)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            problems = [f"{name}: {message}" for name, messages in exc.message_dict.items()
                        for message in messages]
        else:
            problems = exc.messages
        raise where.error("; ".join(problems)) from None


def upsert(model, where, report, *, lookup, values):
    """Return the `model` object found by `lookup`, created if missing, updated with `values`.

    An object the values leave as it is is not saved again, so a reload writes no history.
    """
    obj = model.objects.filter(**lookup).first()
    created = obj is None
    if created:
        obj = model()
    changed = created
    for name, value in values.items():
        if created or getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    if changed:
        save(obj, where)
    report.count(model, created=created)
    return obj
