"""Organisations, sectors, units and people, and the one place that decides who may see a unit."""

from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from units.history import History
from units.years import YearKind, year_months

# How deep an organisation tree may grow: region → municipality → joint authority or provider.
# The access check follows grants down this many levels in one query, so the limit is enforced.
MAX_ORGANISATION_DEPTH = 3



class Action(NamedTuple):
    """The permission codenames of one thing Vastuu checks: on a unit, on an organisation, and
    the global permission that allows it everywhere."""

    unit: str
    organisation: str
    everywhere: str


# The actions Vastuu checks. Each codename is distinct across Unit and Organisation, so that
# "units.<codename>" names one permission. Django's model permissions (view_unit, which a staff
# user needs for the admin) mean nothing here without an object: seeing every organisation is
# for superusers and the holders of the `everywhere` permission.
ACTIONS = {
    "view": Action("view_unit", "view_organisation", "view_every_organisation"),
    "change": Action("change_unit", "change_organisation", "change_every_organisation"),
    "manage_assignments": Action("manage_assignments", "manage_organisation_assignments",
                                 "manage_every_organisation_assignments"),
    "manage_devices": Action("manage_devices", "manage_organisation_devices",
                             "manage_every_organisation_devices"),
}

# Where else organisation views come from: each source is a callable (user) → a queryset of
# organisation ids the user may view, and nothing more. The matrix app adds the organisations of
# the groups a user is a member of today (matrix.apps), so that units need not know about them.
ORGANISATION_VIEW_SOURCES = []

# Where else unit grants come from, besides the guardian rows: each source is a callable
# (user, unit codename) → a queryset of unit ids. The matrix app adds the grants of the roles a
# user holds today (matrix.apps), so that units need not know about assignments.
UNIT_GRANT_SOURCES = []


def sees_everything(user, action):
    """Return whether `user` may do `action` on every unit and organisation."""
    return user.is_superuser or user.has_perm(f"units.{_action(action).everywhere}")


class OrganisationQuerySet(models.QuerySet):
    """Queries over organisations."""

    def for_user(self, user, action="view"):
        """Return the organisations on which `user` holds `action`, directly or through a parent."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_everything(user, action):
            return self
        granted = _granted(OrganisationUserObjectPermission, OrganisationGroupObjectPermission,
                           user, _action(action).organisation)
        condition = _within(*granted, field="pk")
        if action == "view":
            # Only this organisation, not those below it: a member sees the group's home.
            for source in ORGANISATION_VIEW_SOURCES:
                condition |= Q(pk__in=source(user))
        return self.filter(condition)

    def descendants_of(self, organisation):
        """Return `organisation` and every organisation below it."""
        return self.filter(_within([organisation.pk], field="pk"))

    def networks_of(self, organisation):
        """Return the networks `organisation` is a member of."""
        return self.filter(member_links__member=organisation)

    def reached_by_groups_of(self, organisation):
        """Return the organisations whose people the groups of `organisation` may gather.

        Its own lineage and those below it, and for a network its member organisations and
        those below them.
        """
        members = Membership.objects.filter(network=organisation).values("member")
        return self.filter(Q(pk__in=organisation.lineage_ids())
                           | _within([organisation.pk], members, field="pk"))

    def with_ancestors(self, organisations):
        """Return the organisations of the queryset `organisations` and every one above them.

        The matrix of a region reaches its municipalities' units, so whoever sees a
        municipality may read the roles that reach it.
        """
        ids = organisations.values("pk")
        condition = Q(pk__in=ids)
        path = "children"
        for _level in range(MAX_ORGANISATION_DEPTH - 1):
            condition |= Q(**{f"{path}__in": ids})
            path += "__children"
        return self.filter(condition).distinct()


class Organisation(models.Model):
    """A municipality, region, joint authority or service provider that owns a matrix.

    A region holds municipalities through `parent`; the roles of an organisation reach the units of
    every organisation below it.
    """

    class Language(models.TextChoices):
        FINNISH = "fi", _("Finnish")
        SWEDISH = "sv", _("Swedish")
        BILINGUAL = "bilingual", _("Bilingual: Finnish and Swedish")

    class Kind(models.TextChoices):
        REGION = "region", _("Region")
        MUNICIPALITY = "municipality", _("Municipality")
        JOINT_AUTHORITY = "joint_authority", _("Joint authority")
        SERVICE_PROVIDER = "service_provider", _("Service provider")

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices,
                            default=Kind.MUNICIPALITY)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent organisation"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="children",
    )
    max_lead_roles = models.PositiveSmallIntegerField(
        _("lead roles per person"), default=3,
        help_text=_("How many lead roles one person may hold before the health check warns."),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.FINNISH,
        help_text=_("Decides in which languages its editors are asked for roles and duties."),
    )
    year_kind = models.CharField(
        _("kind of year"), max_length=10, choices=YearKind.choices, default=YearKind.SCHOOL,
        help_text=_("The year its annual clock and action plans follow; a plan may choose "
                    "otherwise."),
    )
    template = models.ForeignKey(
        "self", verbose_name=_("matrix copied from"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="template_copies",
        help_text=_("The organisation whose matrix this one was copied from, if any."),
    )

    objects = OrganisationQuerySet.as_manager()
    history = History()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        permissions = [
            ("manage_organisation_assignments",
             _("Can manage the assignments of the organisation's units")),
            ("manage_organisation_devices",
             _("Can manage the devices of the organisation's units")),
            ("view_every_organisation", _("Can view every organisation and unit")),
            ("change_every_organisation", _("Can change every organisation and unit")),
            ("manage_every_organisation_assignments",
             _("Can manage the assignments of every unit")),
            ("manage_every_organisation_devices", _("Can manage the devices of every unit")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="organisation_not_own_parent"
            ),
        ]

    def __str__(self):
        return self.name

    def year_months(self):
        """Return the month numbers of the organisation's year in order, its first month first."""
        return year_months(self.year_kind)

    def ancestors(self):
        """Return the organisations above this one, nearest first."""
        chain, seen, node = [], {self.pk}, self.parent
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain

    def lineage_ids(self):
        """Return the ids of this organisation and every ancestor."""
        return [self.pk, *(org.pk for org in self.ancestors())]

    def is_related_to(self, other):
        """Return whether `other` is this organisation, one above it or one below it.

        The people of related organisations may hold roles and devices at each other's units:
        a region's staff in its municipalities, a municipality's in its joint authorities.
        """
        return other.pk in self.lineage_ids() or self.pk in other.lineage_ids()

    def clean(self):
        super().clean()
        if self.parent_id is None:
            return
        if self.pk is not None and self.parent_id == self.pk:
            raise ValidationError({"parent": _("An organisation cannot be its own parent.")})
        chain = [self.parent, *self.parent.ancestors()]
        if self.pk is not None and any(org.pk == self.pk for org in chain):
            raise ValidationError({"parent": _("This parent would make a loop.")})
        depth_below = _depth_below(self) if self.pk else 0
        if len(chain) + 1 + depth_below > MAX_ORGANISATION_DEPTH:
            raise ValidationError({
                "parent": _("Organisations can be nested at most %(depth)d levels deep.")
                % {"depth": MAX_ORGANISATION_DEPTH}
            })


class Membership(models.Model):
    """An organisation's membership of a network, beside the parent tree.

    A network (the libraries of two regions, a regional tutor network) has member organisations
    from several regions; its group roles may gather their people, and the members' pages
    link the network.
    """

    network = models.ForeignKey(Organisation, verbose_name=_("network"),
                                on_delete=models.CASCADE, related_name="member_links")
    member = models.ForeignKey(Organisation, verbose_name=_("member organisation"),
                               on_delete=models.CASCADE, related_name="network_links")

    history = History()

    class Meta:
        ordering = ["network__name", "member__name"]
        verbose_name = _("network membership")
        verbose_name_plural = _("network memberships")
        constraints = [
            models.UniqueConstraint(fields=["network", "member"],
                                    name="membership_unique"),
            models.CheckConstraint(condition=~Q(network=models.F("member")),
                                   name="membership_not_of_itself"),
        ]

    def __str__(self):
        return f"{self.member} ∈ {self.network}"

    def clean(self):
        super().clean()
        if self.network_id and self.network_id == self.member_id:
            raise ValidationError({"member": _("An organisation cannot be its own member.")})


class Sector(models.Model):
    """A field of education a unit works in: ECEC, pre-primary, basic, upper secondary, library.

    The five sectors are created by a migration; their codes are fixed, their names translatable.
    """

    class Code(models.TextChoices):
        ECEC = "varhaiskasvatus", _("Early childhood education and care")
        PRE_PRIMARY = "esiopetus", _("Pre-primary education")
        BASIC = "perusopetus", _("Basic education")
        UPPER_SECONDARY = "lukio", _("General upper secondary education")
        LIBRARY = "kirjasto", _("Library")

    code = models.CharField(_("code"), max_length=20, choices=Code.choices, unique=True)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self):
        return self.name


class UnitQuerySet(models.QuerySet):
    """Queries over units, with the one permission choke point every view goes through."""

    def for_user(self, user, action="view"):
        """Return the units on which `user` may do `action`.

        A grant on a unit covers that unit; a grant on an organisation covers the units of that
        organisation and of every organisation below it; a role held at a unit today grants
        what the role lists there (UNIT_GRANT_SOURCES). Superusers and holders of the
        `everywhere` permission see all. Everything is one lazy query.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_everything(user, action):
            return self
        codenames = _action(action)
        org_grants = _granted(OrganisationUserObjectPermission, OrganisationGroupObjectPermission,
                              user, codenames.organisation)
        unit_grants = _granted(UnitUserObjectPermission, UnitGroupObjectPermission,
                               user, codenames.unit)
        unit_grants += [source(user, codenames.unit) for source in UNIT_GRANT_SOURCES]
        condition = _within(*org_grants, field="organisation")
        for ids in unit_grants:
            condition |= Q(pk__in=ids)
        return self.filter(condition)

    def with_lineage(self):
        """Return the units with their organisation chain and sectors fetched in bulk.

        The chain is at most MAX_ORGANISATION_DEPTH organisations, so `organisation.ancestors()`
        then runs no query.
        """
        return self.select_related("organisation__parent__parent").prefetch_related("sectors")

    def in_organisation(self, organisation):
        """Return the units of `organisation` and of every organisation below it."""
        return self.filter(_within([organisation.pk], field="organisation"))


class Unit(models.Model):
    """A daycare, school, upper-secondary school or library: the place a matrix is held at."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="units",
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    sectors = models.ManyToManyField(Sector, verbose_name=_("sectors"), related_name="units")

    objects = UnitQuerySet.as_manager()
    history = History(m2m_fields=[sectors])

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        permissions = [
            ("manage_assignments", _("Can manage the unit's assignments")),
            ("manage_devices", _("Can manage the unit's devices")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"],
                                    name="unit_name_unique_in_organisation"),
        ]

    def __str__(self):
        return self.name


class PersonQuerySet(models.QuerySet):
    """Queries over people."""

    def related_to(self, organisation):
        """Return the people of `organisation`, of those above it and of those below it."""
        return self.filter(Q(organisation__in=organisation.lineage_ids())
                           | Q(organisation__in=Organisation.objects.descendants_of(organisation)))


class Person(models.Model):
    """A member of staff who can hold roles. Pupils are never stored as people."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="people",
    )
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("login"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="person",
    )
    left_on = models.DateField(
        _("left on"), null=True, blank=True,
        help_text=_("The day the person left the organisation. Their roles and login then end, "
                    "and the personal data of their loans is removed in time "
                    "(purge_personal_data)."),
    )

    objects = PersonQuerySet.as_manager()
    history = History()

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            # The email is how an import recognises a person again, so it is unique where given.
            models.UniqueConstraint(fields=["email"], condition=~Q(email=""),
                                    name="person_email_unique"),
        ]

    def __str__(self):
        return f"{self.name} ({self.title})" if self.title else self.name

    def clean_fields(self, exclude=None):
        # Imports recognise a person by email, so it is compared in one form.
        self.email = (self.email or "").strip().lower()
        super().clean_fields(exclude=exclude)


class UnitUserObjectPermission(UserObjectPermissionBase):
    """A user's permission on one unit (guardian, direct foreign key), granted by hand.

    What a role grants is not stored: the choke point computes it from the assignments in force.
    """

    content_object = models.ForeignKey(Unit, on_delete=models.CASCADE)
    history = History()

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("user permission on a unit")
        verbose_name_plural = _("user permissions on units")


class UnitGroupObjectPermission(GroupObjectPermissionBase):
    """A group's permission on one unit (guardian, direct foreign key)."""

    content_object = models.ForeignKey(Unit, on_delete=models.CASCADE)
    history = History()

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("group permission on a unit")
        verbose_name_plural = _("group permissions on units")


class OrganisationUserObjectPermission(UserObjectPermissionBase):
    """A user's permission on an organisation: it covers all the organisation's units."""

    content_object = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    history = History()

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("user permission on an organisation")
        verbose_name_plural = _("user permissions on organisations")


class OrganisationGroupObjectPermission(GroupObjectPermissionBase):
    """A group's permission on an organisation: it covers all the organisation's units."""

    content_object = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    history = History()

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("group permission on an organisation")
        verbose_name_plural = _("group permissions on organisations")


def _action(action):
    """Return the permission codenames of `action`."""
    try:
        return ACTIONS[action]
    except KeyError:
        raise ValueError(f"Unknown action {action!r}; expected one of {sorted(ACTIONS)}") from None


def _granted(user_model, group_model, user, codename):
    """Return subqueries of the ids of objects `user` holds `codename` on, itself and by group."""
    target = user_model._meta.get_field("content_object").related_model
    permission = Permission.objects.filter(
        codename=codename,
        content_type__app_label=target._meta.app_label,
        content_type__model=target._meta.model_name,
    )
    return [
        user_model.objects.filter(user=user, permission__in=permission).values("content_object"),
        group_model.objects.filter(group__user=user, permission__in=permission)
        .values("content_object"),
    ]


def _within(*id_sets, field):
    """Return a filter for `field` being in one of `id_sets` or an organisation below one."""
    condition = Q()
    path = field
    for _level in range(MAX_ORGANISATION_DEPTH):
        for ids in id_sets:
            condition |= Q(**{f"{path}__in": ids})
        path = "parent" if path == "pk" else f"{path}__parent"
    return condition


def _depth_below(organisation):
    """Return how many levels of organisations hang below `organisation`."""
    depth, level = 0, [organisation.pk]
    while level and depth < MAX_ORGANISATION_DEPTH + 1:
        level = list(Organisation.objects.filter(parent__in=level).values_list("pk", flat=True))
        if level:
            depth += 1
    return depth
