"""The organisation pages: the organisation itself, its coverage of roles and its health check."""

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import render
from django.urls import reverse

from matrix import health as health_check
from matrix.coverage import build_coverage, export_table, parse_options, staffing, visible_units
from matrix.models import Assignment
from plans import summary as plan_summary
from roles.models import Role
from units.access import organisation_or_404, permitted_ids
from units.export import sheet_response
from units.models import Organisation, Sector


@login_required
def organisation(request, slug):
    """Show the organisation: its place in the tree, members, units, roles, groups, action plan.

    Group roles list their members with their home organisations, the chair first. The queries
    are fixed in number, whatever the size of the organisation.
    """
    organisation = organisation_or_404(request.user, slug)
    units = visible_units(request.user, organisation)
    # Only organisation-wide roles list their holders here; a unit's holders are on its own page.
    holders = (Assignment.objects.current().filter(organisation__isnull=False)
               .select_related("person__organisation", "organisation")
               .order_by("-is_chair", "-is_lead", "person__name"))
    roles = (Role.objects.order_by("order", "pk").prefetch_related(
        "sectors", Prefetch("assignments", queryset=holders, to_attr="current_holders")))
    levels = (organisation.levels.order_by("order", "pk")
              .prefetch_related(Prefetch("roles", queryset=roles)))
    unit_list = units.with_lineage().order_by("organisation__name", "name")
    parent = organisation.parent
    children = list(organisation.children.order_by("name"))
    # A network's members sit beside the tree; they are listed with its children.
    children += [org for org in Organisation.objects.filter(network_links__network=organisation)
                 .order_by("name") if org not in children]
    networks = list(Organisation.objects.networks_of(organisation).order_by("name"))
    viewable = permitted_ids(request.user, Organisation,
                             [org.pk for org in [*children, *networks,
                                                 *organisation.ancestors()]])
    return render(request, "matrix/organisation.html", {
        "organisation": organisation,
        "parent": parent,
        "parent_visible": parent is not None and parent.pk in viewable,
        "members": children,
        "networks": networks,
        "viewable": viewable,
        "levels": levels,
        "groups": _groups_reaching(organisation),
        "unit_groups": [(org, list(members)) for org, members
                        in groupby(unit_list, key=lambda unit: unit.organisation)],
        "finding_count": len(health_check.findings(organisation, units)),
        "plan_summary": plan_summary.for_organisation(organisation),
    })


def _groups_reaching(organisation):
    """Return (role, URL) for the group roles of `organisation` and its ancestors, theirs first.

    A group is linked under this organisation, where anyone who may see the organisation may
    follow the link, unless a nearer group of the same slug shadows it there.
    """
    chain_ids = organisation.lineage_ids()
    depth = {organisation_id: index for index, organisation_id in enumerate(chain_ids)}
    groups = sorted(Role.objects.filter(level__organisation__in=chain_ids, is_group=True)
                    .select_related("level__organisation"),
                    key=lambda role: (depth[role.level.organisation_id], role.level.order,
                                      role.level_id, role.order, role.pk))
    taken, linked = set(), []  # the slugs of nearer groups
    for role in groups:
        owner = organisation if role.slug not in taken else role.level.organisation
        taken.add(role.slug)
        linked.append((role, reverse("matrix:group", args=[owner.slug, role.slug])))
    linked.sort(key=lambda item: -depth[item[0].level.organisation_id])
    return linked


@login_required
def coverage(request, slug):
    """Show which units have someone in each named role, with gaps counted and the busiest."""
    organisation = organisation_or_404(request.user, slug)
    sort, sector = parse_options(request.GET)
    units = visible_units(request.user, organisation)
    table = build_coverage(organisation, units, sector=sector, sort=sort)
    return render(request, "matrix/coverage.html", {
        "organisation": organisation,
        "table": table,
        "staffing": staffing(organisation, units),
        "sort": sort,
        "sector": sector,
        "sectors": Sector.objects.all(),
    })


@login_required
def coverage_export(request, slug, fmt):
    """Download the coverage table as CSV or Excel, filtered and sorted as on the page."""
    organisation = organisation_or_404(request.user, slug)
    sort, sector = parse_options(request.GET)
    table = build_coverage(organisation, visible_units(request.user, organisation),
                           sector=sector, sort=sort)
    headers, rows = export_table(table, organisation)
    filename = "-".join(filter(None, [organisation.slug, "coverage", sector]))
    return sheet_response(headers=headers, rows=rows, filename=filename, fmt=fmt,
                          title=organisation.name)


@login_required
def health(request, slug):
    """Show what is missing or wrong in the organisation's matrix, grouped by kind."""
    organisation = organisation_or_404(request.user, slug)
    findings = health_check.findings(organisation, visible_units(request.user, organisation))
    return render(request, "matrix/health.html", {
        "organisation": organisation,
        "findings": findings,
        "groups": health_check.group_findings(findings),
    })
