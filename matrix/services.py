"""Writes of assignments: who holds which role where, through one place for every writer.

The pages, the admin, the assignment sheet and the demo loader all call these, so the rules of
Assignment.clean() (one lead holder and one chair at a place at a time, the role reaching the
place, the person working there) hold whoever writes. What holding a role allows is not written
anywhere: the choke point computes it from the assignments in force (matrix.apps).

One lead per role and place has to hold when two people appoint at the same moment, which the
model's check alone cannot see: every write locks the role's row first, so writes to the same
role wait for each other and each one's check sees the other's result.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from matrix.models import Assignment
from roles.models import Role
from units.history import refuse_if_stale
from units.models import Organisation, Person
from units.services import find_person, organisation_by_code_or_name

# What assignment_update may change; anything else is a programming error, not a user's.
EDITABLE_FIELDS = frozenset(
    {"person", "role", "unit", "organisation", "is_lead", "is_chair", "start_date", "end_date"})


@transaction.atomic
def assignment_create(*, person, role, unit=None, organisation=None, is_lead=True,
                      is_chair=False, start_date=None, end_date=None):
    """Validate and save a new assignment.

    Raise ValidationError, saving nothing, when the assignment is not valid.
    """
    _lock_roles(role)
    assignment = Assignment(person=person, role=role, unit=unit, organisation=organisation,
                            is_lead=is_lead, is_chair=is_chair, start_date=start_date,
                            end_date=end_date)
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def assignment_update(*, assignment, version=None, **changes):
    """Apply `changes` to `assignment`, validate and save it.

    With `version` (what the form read), refuse if someone saved the assignment since. Raise
    ValidationError, saving nothing, when the changed assignment is not valid.
    """
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"assignment_update() cannot change {sorted(unknown)}")
    # The role it leaves and the role it takes are both locked: a ModelForm has already
    # written the new role into the instance, so the stored one is read.
    stored_role = _lock_assignment(assignment)
    _lock_roles(changes.get("role", assignment.role), stored_role)
    refuse_if_stale(assignment, version)
    for name, value in changes.items():
        setattr(assignment, name, value)
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def assignment_end(*, assignment, end_date, version=None):
    """End `assignment` on `end_date` (the last day it is in force).

    Ending in the past is fine. With `version`, refuse if someone saved the assignment since
    the form read it. Raise ValidationError when `end_date` is before the start date.
    """
    _lock_roles(_lock_assignment(assignment))
    refuse_if_stale(assignment, version)
    assignment.end(end_date)
    assignment.save(update_fields=["end_date"])
    return assignment


@transaction.atomic
def assignment_delete(*, assignment):
    """Delete `assignment`, as one that never took effect (an ended one is kept: see end)."""
    _lock_roles(_lock_assignment(assignment))
    assignment.delete()


@transaction.atomic
def assignments_delete(*, assignments):
    """Delete the assignments of the queryset `assignments` at once, their roles locked first."""
    _lock_roles(*assignments.values_list("role", flat=True))
    assignments.delete()


def _lock_assignment(assignment):
    """Lock the stored row of `assignment` until the transaction ends; return its role's id."""
    return (Assignment.objects.select_for_update().filter(pk=assignment.pk)
            .values_list("role", flat=True).first())


def _lock_roles(*roles):
    """Lock the rows of `roles` (objects or ids) until the transaction ends, in id order."""
    ids = sorted({getattr(role, "pk", role) for role in roles if role is not None})
    # Evaluated for its lock; the same order everywhere, so two writers cannot deadlock.
    list(Role.objects.select_for_update().filter(pk__in=ids).order_by("pk")
         .values_list("pk", flat=True))


@dataclass
class MemberLine:
    """One line of a pasted list of group members, and what saving it does or why it cannot."""

    number: int
    text: str
    name: str = ""
    home: object = None
    title: str = ""
    email: str = ""
    is_chair: bool = False
    person: object = None
    new_person: bool = False
    already_member: bool = False
    errors: list = field(default_factory=list)


@dataclass
class MemberImport:
    """The lines of a pasted list; nothing was saved when any of them has errors."""

    lines: list
    saved: bool = False

    @property
    def errors(self):
        """Return the lines that have errors."""
        return [line for line in self.lines if line.errors]

    def counts(self):
        """Return (people created, people linked, lines already members)."""
        return (sum(line.new_person for line in self.lines),
                sum(not line.already_member for line in self.lines),
                sum(line.already_member for line in self.lines))


CHAIR_WORDS = {"puheenjohtaja", "pj", "ordförande", "chair", "kyllä", "k", "ja", "yes", "x", "1"}
NOT_CHAIR_WORDS = {"", "ei", "e", "nej", "no", "0", "jäsen", "medlem", "member"}


def parse_member_lines(text):
    """Return a MemberLine for each non-empty line of `text`.

    A line is "name; home organisation; title; e-mail (optional); chair", separated by
    semicolons or tabs (as pasted from a spreadsheet); a first line that names the columns is
    skipped.
    """
    lines = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        if not raw.strip():
            continue
        cells = [" ".join(cell.split()) for cell in re.split(r"[;\t]", raw)]
        cells += [""] * (5 - len(cells))
        name, home, title, email, chair = cells[:5]
        if number == 1 and name.casefold() in {"nimi", "namn", "name"}:
            continue
        line = MemberLine(number=number, text=raw.strip(), name=name, title=title,
                          email=email.lower())
        if len(cells) > 5 and any(cells[5:]):
            line.errors.append(_("Too many fields: a line has at most five, separated by ;."))
        if not name:
            line.errors.append(_("The name is missing."))
        line.home = organisation_by_code_or_name(home)
        if not home:
            line.errors.append(_("The home organisation is missing."))
        elif line.home is None:
            line.errors.append(_("Unknown home organisation: %(value)s.") % {"value": home})
        if chair.casefold() in CHAIR_WORDS:
            line.is_chair = True
        elif chair.casefold() not in NOT_CHAIR_WORDS:
            line.errors.append(_("Write “puheenjohtaja” or leave the chair field empty, not "
                                 "%(value)s.") % {"value": chair})
        lines.append(line)
    return lines


def group_members_add(*, role, text, organisation=None, start_date=None, commit=True):
    """Add the people a pasted list names to the group `role`, creating those not yet known.

    Each line is found by e-mail, or by name within its home organisation, and created when
    missing (units.services.find_person); each gets an assignment to the group in
    `organisation` (the group's own by default), through assignment_create and its rules.
    Everything is saved, or nothing: with errors on any line, or without `commit` (a
    preview), the transaction is rolled back and the result says what would be done.
    """
    lines = parse_member_lines(text)
    result = MemberImport(lines=lines)
    if role.scope != Role.Scope.ORGANISATION or not role.is_group:
        raise ValidationError(_("Members can be added this way only to a group or network "
                                "held in an organisation."))
    organisation = organisation or role.level.organisation
    reachable = set(Organisation.objects.reached_by_groups_of(role.level.organisation)
                    .values_list("pk", flat=True))
    if not lines:
        raise ValidationError(_("Paste at least one line: name; home organisation; title; "
                                "e-mail (optional); chair."))
    with transaction.atomic():
        _lock_roles(role)
        seen = {}
        for line in lines:
            if line.errors:
                continue
            if line.home.pk not in reachable:
                line.errors.append(_(
                    "%(home)s is not a member of %(network)s, nor part of it.")
                    % {"home": line.home.name, "network": role.level.organisation.name})
                continue
            try:
                _member_line(line, role, organisation, start_date, seen)
            except ValidationError as error:
                line.errors.extend(error.messages)
        result.saved = commit and not result.errors
        if not result.saved:
            transaction.set_rollback(True)
    return result


def _member_line(line, role, organisation, start_date, seen):
    """Find or create the person of `line` and make them a member of `role`; raise on error."""
    person = find_person(name=line.name, organisation=line.home, email=line.email)
    if person is None:
        person = Person(name=line.name, organisation=line.home, title=line.title,
                        email=line.email)
        person.full_clean()
        person.save()
        line.new_person = True
    key = person.pk
    if key in seen:
        raise ValidationError(_("The same person is already on line %(line)s.")
                              % {"line": seen[key]})
    seen[key] = line.number
    line.person = person
    current = (Assignment.objects.current().filter(person=person, role=role,
                                                   organisation=organisation).first())
    if current is not None:
        line.already_member = True
        if line.is_chair and not current.is_chair:
            assignment_update(assignment=current, is_chair=True)
        return
    assignment_create(person=person, role=role, organisation=organisation,
                      is_lead=True, is_chair=line.is_chair, start_date=start_date)
