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
"""

from plans.models import Action, ActionPlan, Goal
from roles.models import Duty
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
