"""Load the demo's action plans: an organisation's goals for a year and the actions towards them.

    action_plans:
      - organisation: paijat-hame
        year: 2026                          # the school year starting in August 2026
        title: Digitalisaation suuntaviivat 2026–2027
        goals:
          - text: Jokainen opettaja tuntee seudun digitaitojen tavoitteet.
            area: competence                # competence, infrastructure, services, content
            actions:
              - text: Tutoropettajat kiertävät kouluissa.
                role: tutoropettajaverkosto # a role of the organisation or one above it
                target: Jokaisessa koulussa yksi vierailu syksyllä.
                status: in_progress         # planned, in_progress, done, postponed

    groups:                                 # the funding and meetings of group roles
      - group: paijat-hame/tutoropettajaverkosto   # "organisation-slug/role-slug", an is_group role
        funding:
          - funder: Opetushallitus
            grant: Tutoropettajatoiminnan valtionavustus
            amount: 45000                   # euros
            starts: 2026-08-01
            ends: 2027-07-31
            covers: Tapaamisten matkat ja tutorpäivä.
        meetings:
          - name: Seudullinen tutoropettajatapaaminen
            per_year: 3
            mode: both                      # remote, on_site, both
            place: Lahti
            link: https://teams.example.fi/tutorverkosto
            months: [9, 1, 4]               # when known: then it is in the annual clock
"""

import datetime
from decimal import Decimal

from plans.models import Action, ActionPlan, Funding, Goal, Meeting
from roles.models import Duty, Role
from units.models import Organisation

from .common import choice, fields, items, pick, string, upsert
from .matrices import roles_by_slug


def load_plans(data, where, report):
    """Create or update each plan in `data`, its goals and their actions, in the file's order."""
    for index, plan_data in enumerate(data):
        plan_where = where / f"plan {index + 1}"
        fields(plan_data, plan_where, required=("organisation", "year"),
               optional=("title", "goals"))
        slug = string(plan_data, "organisation", plan_where)
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise plan_where.error(f"unknown organisation {slug!r}")
        year = plan_data["year"]
        if not isinstance(year, int):
            raise plan_where.error("'year' should be a year such as 2026")
        plan = upsert(ActionPlan, plan_where, report,
                      lookup={"organisation": organisation, "year": year},
                      values={"organisation": organisation, "year": year,
                              "title": string(plan_data, "title", plan_where)})
        roles = roles_by_slug(organisation.lineage_ids())
        for order, goal_data in enumerate(items(plan_data, "goals", plan_where)):
            _goal(plan, goal_data, order, roles, plan_where / f"goal {order + 1}", report)


def _goal(plan, data, order, roles, where, report):
    """Create or update one goal of `plan` with its actions."""
    fields(data, where, required=("text",), optional=("area", "actions"))
    text = string(data, "text", where)
    goal = upsert(Goal, where, report, lookup={"plan": plan, "text": text},
                  values={"plan": plan, "text": text, "order": order,
                          "development_area": choice(data, "area", where, Duty.Area)})
    for action_order, action_data in enumerate(items(data, "actions", where)):
        action_where = where / f"action {action_order + 1}"
        fields(action_data, action_where, required=("text",),
               optional=("role", "target", "status"))
        action_text = string(action_data, "text", action_where)
        role_slug = string(action_data, "role", action_where)
        role = pick(roles, [role_slug], action_where, "role slug")[0] if role_slug else None
        upsert(Action, action_where, report, lookup={"goal": goal, "text": action_text},
               values={"goal": goal, "text": action_text, "order": action_order,
                       "responsible_role": role,
                       "target": string(action_data, "target", action_where),
                       "status": choice(action_data, "status", action_where, Action.Status,
                                        Action.Status.PLANNED)})


def load_group_means(data, where, report):
    """Create or update the funding and meetings of each group role in `data`."""
    for index, group_data in enumerate(data):
        group_where = where / f"group {index + 1}"
        fields(group_data, group_where, required=("group",), optional=("funding", "meetings"))
        organisation_slug, _slash, slug = string(group_data, "group", group_where).rpartition("/")
        role = Role.objects.filter(level__organisation__slug=organisation_slug, slug=slug,
                                   is_group=True).first()
        if role is None:
            raise group_where.error(f"unknown group {organisation_slug}/{slug}")
        for order, item in enumerate(items(group_data, "funding", group_where)):
            item_where = group_where / f"funding {order + 1}"
            fields(item, item_where, required=("funder",),
                   optional=("grant", "amount", "starts", "ends", "covers"))
            funder = string(item, "funder", item_where)
            upsert(Funding, item_where, report, lookup={"role": role, "funder": funder},
                   values={"role": role, "funder": funder, "order": order,
                           "grant": string(item, "grant", item_where),
                           "amount": _amount(item, item_where),
                           "starts": _date(item, "starts", item_where),
                           "ends": _date(item, "ends", item_where),
                           "covers": string(item, "covers", item_where)})
        for order, item in enumerate(items(group_data, "meetings", group_where)):
            item_where = group_where / f"meeting {order + 1}"
            fields(item, item_where, required=("name",),
                   optional=("per_year", "mode", "place", "link", "months"))
            name = string(item, "name", item_where)
            months = item.get("months") or []
            if not isinstance(months, list):
                raise item_where.error("'months' should be a list of month numbers")
            upsert(Meeting, item_where, report, lookup={"role": role, "name": name},
                   values={"role": role, "name": name, "order": order,
                           "per_year": item.get("per_year", 1),
                           "mode": choice(item, "mode", item_where, Meeting.Mode,
                                          Meeting.Mode.BOTH),
                           "place": string(item, "place", item_where),
                           "link": string(item, "link", item_where), "months": months})


def _amount(data, where):
    """Return `data["amount"]` as a Decimal, or None if it is not given."""
    value = data.get("amount")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise where.error("'amount' should be a number of euros")
    return Decimal(str(value))


def _date(data, key, where):
    """Return `data[key]` as a date (YAML reads 2026-08-01 as one), or None if not given."""
    value = data.get(key)
    if value is None or isinstance(value, datetime.date):
        return value
    raise where.error(f"{key!r} should be a date such as 2026-08-01")
