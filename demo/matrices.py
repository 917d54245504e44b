"""Load a matrix file: one organisation with its levels, roles and duties (format: demo.loader)."""

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from roles.models import Duty, Level, Role
from units.models import Organisation, Sector, Unit
from units.years import YearKind

from .common import boolean, choice, fields, items, pick, short, string, strings, upsert

ROLE_KEYS = ("name_sv", "scope", "sectors", "named_holders", "is_group", "responsible_title",
             "responsible_title_sv", "supporting_titles", "supporting_titles_sv",
             "supporting_roles", "unit_permissions", "duties")
DUTY_KEYS = ("text_sv", "sectors", "recurrence", "recurrence_sv", "months", "together_with",
             "area")


def load_matrix(data, where, report):
    """Create or update the organisation, levels, roles and duties `data` describes.

    Return the organisation. The file is the whole truth about its roles' duties: a duty of a
    loaded role that the file no longer lists is removed, so editing a text does not leave the
    old text behind.
    """
    fields(data, where, required=("organisation", "levels"))
    # In Finnish: `name` and `text` are then the Finnish columns, whatever ran before the load.
    with translation.override("fi"):
        organisation = _organisation(data["organisation"], where / "organisation", report)
        MatrixLoader(organisation, report).load(items(data, "levels", where), where)
    return organisation


def _organisation(data, where, report):
    """Create or update the organisation `data` describes."""
    fields(data, where, required=("name", "slug"), optional=("kind", "parent", "language",
                                                               "year_kind"))
    parent_slug = string(data, "parent", where)
    parent = Organisation.objects.filter(slug=parent_slug).first() if parent_slug else None
    if parent_slug and parent is None:
        raise where.error(f"unknown parent organisation {parent_slug!r}: load its file first")
    slug = string(data, "slug", where)
    values = {"slug": slug, "name": string(data, "name", where), "parent": parent,
              "kind": choice(data, "kind", where, Organisation.Kind, "municipality"),
              "language": choice(data, "language", where, Organisation.Language, "fi"),
              "year_kind": choice(data, "year_kind", where, YearKind, YearKind.SCHOOL)}
    return upsert(Organisation, where, report, lookup={"slug": slug}, values=values)


def swedish(data, key, where):
    """Return the Swedish text `data` gives for `key` (under `key`_sv), or None if none."""
    return string(data, f"{key}_sv", where) or None


def by_text(model, scope, key, finnish, swedish_text):
    """Return the lookup of the `model` object of `scope` with the Finnish text `finnish` under
    `key`, or else with the Swedish one: a text edited in one language is the same object still.
    """
    lookup = {**scope, key: finnish}
    if swedish_text and not model.objects.filter(**lookup).exists():
        found = model.objects.filter(**scope, **{f"{key}_sv": swedish_text}).first()
        if found is not None:
            return {"pk": found.pk}
    return lookup


def roles_by_slug(organisation_ids):
    """Return the roles of the organisations by slug; the first organisation's win a tie."""
    roles = {}
    for organisation_id in reversed(organisation_ids):
        roles.update({role.slug: role for role in
                      Role.objects.filter(level__organisation_id=organisation_id)})
    return roles


class MatrixLoader:
    """Load the levels of one organisation: roles first, then the links and duties between them."""

    def __init__(self, organisation, report):
        self.organisation = organisation
        self.report = report
        self.sectors = {sector.code: sector for sector in Sector.objects.all()}
        self.permissions = {
            permission.codename: permission for permission in Permission.objects.filter(
                content_type=ContentType.objects.get_for_model(Unit))
        }
        self.loaded = {}  # role slug → (role, its data, its place in the file)

    def load(self, levels, where):
        """Load `levels`, then link the roles and load their duties."""
        names = set()
        for order, data in enumerate(levels):
            level_where = where / f"level {order + 1}"
            fields(data, level_where, required=("name",), optional=("name_sv", "roles"))
            name = string(data, "name", level_where)
            level_where = where / f"level {name!r}"
            if name in names:
                raise level_where.error("this level is listed twice")
            names.add(name)
            name_sv = swedish(data, "name", level_where)
            level = upsert(Level, level_where, self.report,
                           lookup=by_text(Level, {"organisation": self.organisation}, "name",
                                          name, name_sv),
                           values={"organisation": self.organisation, "name": name,
                                   "name_sv": name_sv, "order": order})
            for role_order, role_data in enumerate(items(data, "roles", level_where)):
                self.role(role_data, level, role_order, level_where)
        known = self.known_roles()
        for role, data, role_where in self.loaded.values():
            supporting = strings(data, "supporting_roles", role_where)
            role.supporting_roles.set(pick(known, supporting, role_where, "role slug"))
            self.duties(role, data, known, role_where)

    def role(self, data, level, order, level_where):
        """Create or update one role of `level`, with its sectors and permissions."""
        where = level_where / f"role {order + 1}"
        fields(data, where, required=("name", "slug"), optional=ROLE_KEYS)
        slug = string(data, "slug", where)
        where = level_where / f"role {slug!r}"
        if slug in self.loaded:
            raise where.error("this role slug is used twice in the file")
        values = {
            "level": level, "slug": slug, "order": order, "name": string(data, "name", where),
            "scope": choice(data, "scope", where, Role.Scope, Role.Scope.UNIT),
            "named_holders": boolean(data, "named_holders", where, True),
            "is_group": boolean(data, "is_group", where, False),
            "responsible_title": string(data, "responsible_title", where),
            "supporting_titles": "\n".join(strings(data, "supporting_titles", where)),
            "name_sv": swedish(data, "name", where),
            "responsible_title_sv": swedish(data, "responsible_title", where),
            "supporting_titles_sv": "\n".join(strings(data, "supporting_titles_sv", where))
            or None,
        }
        role = upsert(Role, where, self.report, values=values,
                      lookup={"level__organisation": self.organisation, "slug": slug})
        role.sectors.set(pick(self.sectors, strings(data, "sectors", where), where, "sector"))
        role.unit_permissions.set(pick(self.permissions, strings(data, "unit_permissions", where),
                                       where, "unit permission"))
        self.loaded[slug] = (role, data, where)

    def known_roles(self):
        """Return the roles a link may name by slug: this file's and its ancestors' roles."""
        known = roles_by_slug(self.organisation.lineage_ids()[1:])
        known.update({slug: role for slug, (role, _data, _where) in self.loaded.items()})
        return known

    def duties(self, role, data, known, where):
        """Load the duties of `role` in order and remove the ones the file no longer lists."""
        role_sectors = set(role.sectors.values_list("code", flat=True))
        kept = []
        for order, item in enumerate(items(data, "duties", where)):
            duty = self.duty(role, item, order, role_sectors, known, where)
            if duty.pk in kept:
                raise where.error(f"the duty {short(duty.text)!r} is listed twice")
            kept.append(duty.pk)
        _total, removed = role.duties.exclude(pk__in=kept).delete()
        self.report.count_removed(Duty, removed.get(Duty._meta.label, 0))

    def duty(self, role, item, order, role_sectors, known, role_where):
        """Create or update one duty: a plain text, or a mapping with a text and details."""
        if isinstance(item, str):
            item = {"text": item}
        where = role_where / f"duty {order + 1}"
        fields(item, where, required=("text",), optional=DUTY_KEYS)
        text = string(item, "text", where)
        where = role_where / f"duty {order + 1} ({short(text)!r})"
        codes = strings(item, "sectors", where)
        sectors = pick(self.sectors, codes, where, "sector")
        outside = [code for code in codes if role_sectors and code not in role_sectors]
        if outside:
            raise where.error(f"sector {outside[0]!r} is not one of the role's sectors "
                              f"({', '.join(sorted(role_sectors))})")
        values = {
            "role": role, "text": text, "order": order,
            "recurrence": string(item, "recurrence", where),
            "text_sv": swedish(item, "text", where),
            "recurrence_sv": swedish(item, "recurrence", where),
            "months": item.get("months") or [],
            "development_area": choice(item, "area", where, Duty.Area),
        }
        duty = upsert(Duty, where, self.report, values=values,
                      lookup=by_text(Duty, {"role": role}, "text", text, values["text_sv"]))
        duty.sectors.set(sectors)
        together = strings(item, "together_with", where)
        duty.collaborating_roles.set(pick(known, together, where, "role slug"))
        return duty
