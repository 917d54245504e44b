"""The page of a working group or network: its duties and meetings, and who its members are."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from matrix.changes import group_changes
from matrix.compose import lineage
from matrix.models import Assignment
from roles.models import Role
from units.access import organisation_or_404, permitted_ids
from units.models import Organisation, Unit


@login_required
def group(request, slug, role):
    """Show a group role of the organisation or of one above it: duties, meetings, members.

    The page names the members with their titles and home organisations, as a unit's matrix
    names the holders of organisation-wide roles, so anyone who may view a unit of the
    organisation may see it. A group held at each unit lists its members at the units of the
    organisation the user may view. The queries are fixed in number, whatever the group's size.
    """
    organisation = organisation_or_404(request.user, slug, unit_viewers=True)
    chain = lineage(organisation)
    group_role = _group_or_404(chain, role)
    duties = list(group_role.duties.order_by("order", "pk")
                  .prefetch_related("sectors", "collaborating_roles"))
    members = Assignment.objects.current().filter(role=group_role)
    visible_units = Unit.objects.for_user(request.user, "view").in_organisation(organisation)
    if group_role.scope == Role.Scope.ORGANISATION:
        members = members.filter(organisation__isnull=False)
    else:
        members = members.filter(unit__in=visible_units)
    members = (members.select_related("person__organisation", "unit")
               .order_by("unit__name", "unit_id", "-is_chair", "-is_lead", "person__name"))
    meetings = list(group_role.meetings.all())
    viewable = permitted_ids(request.user, Organisation, [org.pk for org in chain])
    return render(request, "matrix/group.html", {
        "organisation": organisation,
        "group": group_role,
        "home": group_role.level.organisation,
        "breadcrumbs": [org for org in reversed(chain) if org.pk in viewable],
        "duties": duties,
        "members": list(members),
        "in_clock": any(duty.months for duty in duties) or any(
            meeting.months for meeting in meetings),
        "funding": list(group_role.fundings.all()),
        "meetings": meetings,
        "changes": group_changes(group_role, units=visible_units),
    })


def _group_or_404(chain, slug):
    """Return the group role `slug` nearest in `chain` (an organisation, then its ancestors).

    An organisation's own group shadows an ancestor's group of the same slug. Raise Http404
    when no group of the chain has the slug: a role that is no group has no group page.
    """
    depth = {organisation.pk: index for index, organisation in enumerate(chain)}
    groups = (Role.objects.filter(level__organisation__in=list(depth), slug=slug, is_group=True)
              .select_related("level__organisation"))
    nearest = min(groups, key=lambda found: depth[found.level.organisation_id], default=None)
    if nearest is None:
        raise Http404("No group matches the given query.")
    return nearest
