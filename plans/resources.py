"""An action plan as one sheet: a row per action, with its plan and goal written out on every row.

An import creates or updates plans (by organisation and year), goals (by plan and text) and actions
(by goal and text). A row with no action text describes a goal with no actions yet; a row with
neither goal nor action describes a plan with no goals yet.

A plan's title, notes, period ("until year") and kind of year, and a goal's development area,
result and order need only be written on one of its rows: an empty cell leaves what is stored
(or, for a new goal, puts it after the goals above it). Two rows that say different things about
the same plan or goal are an error. The responsible role is a role slug of the plan's
organisation or of one above it, or "organisation/slug". Choices (status, development area, kind
of year) are written as words in the user's language and read as codes or words in any language.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Max, Prefetch
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field
from import_export.results import RowResult

from plans.models import FIRST_YEAR, LAST_YEAR, Action, ActionPlan, Goal
from roles.models import Duty, Role
from units.resources import VastuuResource, choice_label, choice_names, folded, text_field
from units.years import YearKind

# The columns of an action: one of them filled in on a row with no action text is a mistake.
ACTION_COLUMNS = ("responsible_role", "target", "status", "order")


def whole_number(text):
    """Return `text` ("7", or "7.0" as a spreadsheet may store it) as an int, or None."""
    if text.endswith(".0"):
        text = text[:-2]
    return int(text) if text.isdigit() else None


def role_reference(role, organisation_id):
    """Return how a plan of `organisation_id` names `role`: slug, or "organisation/slug"."""
    if role is None:
        return ""
    if role.level.organisation_id == organisation_id:
        return role.slug
    return f"{role.level.organisation.slug}/{role.slug}"


def plan_of(action):
    """Return the plan `action` belongs to (through a goal that may be unsaved)."""
    return action.goal.plan


class PlanResource(VastuuResource):
    """Whole action plans as one sheet: organisation, year, goal and action on every row."""

    # The plan's and the goal's columns are read by before_import_row(), not set on the action.
    organisation = Field(column_name=_("organisation"),
                         dehydrate_method=lambda action: plan_of(action).organisation.slug)
    year = Field(column_name=_("year"), dehydrate_method=lambda action: plan_of(action).year)
    end_year = Field(column_name=_("until year"),
                     dehydrate_method=lambda action: plan_of(action).end_year or "")
    year_kind = Field(column_name=_("kind of year"), dehydrate_method=lambda action: choice_label(
        YearKind.choices, plan_of(action).year_kind))
    title = Field(column_name=_("plan title"),
                  dehydrate_method=lambda action: plan_of(action).title)
    notes = Field(column_name=_("plan notes"),
                  dehydrate_method=lambda action: plan_of(action).notes)
    goal = Field(column_name=_("goal"), dehydrate_method=lambda action: action.goal.text)
    development_area = Field(column_name=_("development area"),
                             dehydrate_method=lambda action: choice_label(
                                 Duty.Area.choices, action.goal.development_area))
    goal_target = Field(column_name=_("goal result or target level"),
                        dehydrate_method=lambda action: action.goal.target)
    goal_order = Field(column_name=_("goal order"), dehydrate_method=lambda action: (
        action.goal.order if action.goal.pk else ""))
    text = text_field("text", _("action"))
    # The next three have attributes so that the model's errors land in their columns, but
    # import_instance() reads them itself: an empty cell keeps what is stored.
    responsible_role = Field("responsible_role", _("responsible role"),
                             dehydrate_method=lambda action: role_reference(
                                 action.responsible_role, plan_of(action).organisation_id))
    target = text_field("target", _("result or target level"))
    status = Field("status", _("status"), dehydrate_method=lambda action: choice_label(
        Action.Status.choices, action.status) if action.pk else "")
    order = Field("order", _("action order"),
                  dehydrate_method=lambda action: action.order if action.pk else "")

    # A plan is read by people: its choices are written as words.
    labels_in_export = True
    choice_columns = {"development_area": Duty.Area.choices}

    class Meta(VastuuResource.Meta):
        model = Action
        fields = ("organisation", "year", "end_year", "year_kind", "title", "notes", "goal",
                  "development_area", "goal_target", "goal_order", "text", "responsible_role",
                  "target", "status", "order")
        import_id_fields = ("organisation", "year", "goal", "text")

    @classmethod
    def get_display_name(cls):
        """Return the name the admin's import and export forms show for this resource."""
        return _("Action plan (one row per action)")

    def examples(self):
        """Return a plan of one of the user's organisations: one goal with two actions."""
        organisation = self.example_organisation()
        goal = {"organisation": organisation.slug if organisation else "",
                "year": date.today().year, "title": str(_("Example plan")),
                "goal": str(_("The staff's digital skills grow.")),
                "development_area": choice_label(Duty.Area.choices, Duty.Area.COMPETENCE),
                "target": str(_("Every teacher has been trained."))}
        return [
            {**goal, "text": str(_("Tutor teachers hold a training every month.")),
             "status": choice_label(Action.Status.choices, Action.Status.PLANNED)},
            {**goal, "text": str(_("Each school makes its own training plan.")),
             "status": choice_label(Action.Status.choices, Action.Status.IN_PROGRESS)},
        ]

    # Export

    def export(self, queryset=None, **kwargs):
        """Export the plans, goals or actions in `queryset` as action rows, in plan order."""
        return super().export(queryset=plan_rows(queryset), **kwargs)

    # Import

    def before_import(self, dataset, **kwargs):
        """Start the bookkeeping of one import; note what the sheet says of each plan and goal."""
        super().before_import(dataset, **kwargs)
        self.areas = choice_names(Duty.Area.choices)
        self.year_kinds = choice_names(YearKind.choices)
        # "Calendar year" will do for "Calendar year (January – December)", in any language.
        for name, code in list(self.year_kinds.items()):
            self.year_kinds.setdefault(folded(name.split(" (")[0]), code)
        self.plans = {}  # (organisation pk, year) → plan
        self.goals = {}  # (plan pk, text) → goal
        self.goal_orders = {}  # plan pk → the highest goal order placed so far
        self.action_orders = {}  # goal pk → the highest action order placed so far
        self.action_lines = {}  # (goal pk, text) → line
        self.roles = {}  # (organisation pk, reference) → Role or None
        # What the sheet says of a plan or goal on any of its rows: (value, line) of the first.
        self.said = {}
        for line, values in enumerate(dataset.dict, 2):
            plan_key = (self.cell(values, "organisation"), whole_number(self.cell(values, "year")))
            self._note(("title", plan_key), self.cell(values, "title"), line)
            self._note(("notes", plan_key), self.cell(values, "notes"), line)
            self._note(("end_year", plan_key), whole_number(self.cell(values, "end_year")), line)
            self._note(("year_kind", plan_key),
                       self.year_kinds.get(folded(self.cell(values, "year_kind"))), line)
            goal_key = (plan_key, self.cell(values, "goal"))
            self._note(("goal_target", goal_key), self.cell(values, "goal_target"), line)
            area = self.areas.get(folded(self.cell(values, "development_area")))
            self._note(("development_area", goal_key), area, line)
            self._note(("goal_order", goal_key),
                       whole_number(self.cell(values, "goal_order")), line)

    def _note(self, key, value, line):
        """Remember `value` as what the sheet says of `key`, unless an earlier row said it."""
        if value not in (None, ""):
            self.said.setdefault(key, (value, line))

    def import_row(self, row, instance_loader, **kwargs):
        """Import one row; a row that only creates or changes its plan or goal is not skipped."""
        self.row_created = self.row_changed = False
        row_result = super().import_row(row, instance_loader, **kwargs)
        if row_result.import_type == RowResult.IMPORT_TYPE_SKIP and self.row_changed:
            row_result.import_type = (RowResult.IMPORT_TYPE_NEW if self.row_created
                                      else RowResult.IMPORT_TYPE_UPDATE)
        return row_result

    def before_import_row(self, row, **kwargs):
        """Create or update the plan and the goal that `row` describes."""
        self.row_plan, plan_key = self._plan(row)
        self.row_goal = self._goal(row, self.row_plan, plan_key)

    def get_instance(self, instance_loader, row):
        """Return the action of the row's goal with the row's text, if there is one."""
        text = self.cell(row, "text")
        if self.row_goal is None or not text:
            return None
        return Action.objects.filter(goal=self.row_goal, text=text).order_by("pk").first()

    def init_instance(self, row=None):
        """Return a new action of the row's goal."""
        return Action(goal=self.row_goal)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        """Set a plain text cell on the action; import_instance() reads the other cells."""
        if field.attribute in ("text", "target"):
            super().import_field(field, instance, row, is_m2m, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        """Set the action from `row`: its text, role, result, status and order."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if not instance.text:
            if any(self.cell(row, name) for name in ACTION_COLUMNS):
                errors["text"] = [_("This field is required.")]
            if errors:
                raise ValidationError(errors)
            return  # a goal or plan with no actions: skip_row() skips it
        goal, line = self.row_goal, kwargs["row_number"] + 1  # _goal() made sure there is one
        try:
            instance.status = self.choice(row, "status") or instance.status
        except ValidationError as error:
            errors["status"] = error.messages
        reference = self.cell(row, "responsible_role")
        instance.responsible_role = self._role(reference, self.row_plan.organisation)
        if reference and instance.responsible_role is None:
            errors["responsible_role"] = [_("Unknown role: %(value)s.") % {"value": reference}]
        first_line = self.action_lines.setdefault((goal.pk, instance.text), line)
        if first_line != line:
            errors["text"] = [
                _("The same action is already on line %(line)s.") % {"line": first_line}]
        self._place_action(instance, goal, row, errors)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """Skip a row with no action, and an action that the row leaves as it is."""
        if import_validation_errors:
            return False
        if not instance.text:
            return True
        if instance.pk is None:
            return False
        return not any(getattr(instance, name) != getattr(original, name) for name in
                       ("text", "responsible_role_id", "target", "status", "order"))

    def _organisation(self, row):
        """Return the organisation the row names (with the parents Action.clean() walks)."""
        return self.organisation_named(row)

    def _year(self, row):
        """Return the year the row names, or raise ValidationError."""
        text = self.cell(row, "year")
        year = whole_number(text)
        if not text:
            message = _("This field is required.")
        elif year is None:
            message = _("Enter a whole number.")
        elif not FIRST_YEAR <= year <= LAST_YEAR:
            message = _("Write a year from %(first)s to %(last)s.") % {
                "first": FIRST_YEAR, "last": LAST_YEAR}
        else:
            return year
        raise ValidationError({self.column("year"): message})

    def _plan(self, row):
        """Return the plan the row names and its key in `said`, created or retitled as needed."""
        errors = {}
        try:
            organisation = self._organisation(row)
        except ValidationError as error:
            errors.update(error.message_dict)
        try:
            year = self._year(row)
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
        plan_key = (organisation.slug, year)
        said = self._plan_cells(row)
        self._agrees(row, "title", ("title", plan_key), said["title"],
                     _("Line %(line)s gives this plan another title."))
        message = _("Line %(line)s describes the same plan otherwise.")
        for name in ("notes", "end_year", "year_kind"):
            self._agrees(row, name, (name, plan_key), said[name], message)
        if (organisation.pk, year) in self.plans:
            return self.plans[organisation.pk, year], plan_key
        plan = (ActionPlan.objects.filter(organisation=organisation, year=year).first()
                or ActionPlan(organisation=organisation, year=year))
        plan.organisation = organisation  # the one with its parents fetched
        changed = plan.pk is None
        for name in ("title", "notes", "end_year", "year_kind"):
            value, _line = self.said.get((name, plan_key), (getattr(plan, name), None))
            if getattr(plan, name) != value:
                setattr(plan, name, value)
                changed = True
        if changed:
            self._save(plan, {"title": "title", "year": "year", "organisation": "organisation",
                              "notes": "notes", "end_year": "end_year",
                              "year_kind": "year_kind"})
        self.plans[organisation.pk, year] = plan
        return plan, plan_key

    def _plan_cells(self, row):
        """Return what `row` says of its plan besides its key, or raise ValidationError."""
        errors = {}
        end_text, kind_text = self.cell(row, "end_year"), self.cell(row, "year_kind")
        end_year = whole_number(end_text) if end_text else None
        if end_text and end_year is None:
            errors[self.column("end_year")] = _("Enter a whole number.")
        year_kind = self.year_kinds.get(folded(kind_text)) if kind_text else ""
        if year_kind is None:
            errors[self.column("year_kind")] = _(
                "Unknown kind of year: %(value)s. Write one of: %(valid)s.") % {
                    "value": kind_text,
                    "valid": ", ".join(str(label) for _code, label in YearKind.choices)}
        if errors:
            raise ValidationError(errors)
        return {"title": self.cell(row, "title"), "notes": self.cell(row, "notes"),
                "end_year": end_year, "year_kind": year_kind}

    def _goal(self, row, plan, plan_key):
        """Return the goal the row names (None if it names none), created or updated as said."""
        text = self.cell(row, "goal")
        area_text = self.cell(row, "development_area")
        order_text = self.cell(row, "goal_order")
        if not text:
            if (self.cell(row, "text") or area_text or order_text
                    or self.cell(row, "goal_target")):
                raise ValidationError({self.column("goal"): _("This field is required.")})
            return None
        errors = {}
        goal_key = (plan_key, text)
        area = ""
        try:
            area = self.choice(row, "development_area")
        except ValidationError as error:
            errors.update(error.message_dict)
        order = whole_number(order_text) if order_text else None
        if order_text and order is None:
            errors[self.column("goal_order")] = _("Enter a whole number.")
        if errors:
            raise ValidationError(errors)
        message = _("Line %(line)s describes the same goal otherwise.")
        self._agrees(row, "development_area", ("development_area", goal_key), area, message)
        self._agrees(row, "goal_order", ("goal_order", goal_key), order, message)
        self._agrees(row, "goal_target", ("goal_target", goal_key), self.cell(row, "goal_target"),
                     message)
        if (plan.pk, text) in self.goals:
            return self.goals[plan.pk, text]
        goal = (Goal.objects.filter(plan=plan, text=text).order_by("order", "pk").first()
                or Goal(plan=plan, text=text))
        goal.plan = plan
        highest = self.goal_orders.get(plan.pk)
        if highest is None:
            highest = plan.goals.aggregate(highest=Max("order"))["highest"] if plan.pk else None
        stored_area, stored_target = goal.development_area, goal.target
        stored_order = goal.order if goal.pk else (-1 if highest is None else highest) + 1
        goal.development_area = self.said.get(("development_area", goal_key),
                                              (stored_area, None))[0]
        goal.target = self.said.get(("goal_target", goal_key), (stored_target, None))[0]
        goal.order = self.said.get(("goal_order", goal_key), (stored_order, None))[0]
        if (goal.pk is None or goal.development_area != stored_area
                or goal.order != stored_order or goal.target != stored_target):
            self._save(goal, {"text": "goal", "development_area": "development_area",
                              "order": "goal_order", "target": "goal_target"})
        self.goal_orders[plan.pk] = max(goal.order, -1 if highest is None else highest)
        self.goals[plan.pk, text] = goal
        return goal

    def _agrees(self, row, field_name, key, value, message):
        """Raise ValidationError if the row's `value` differs from what an earlier row said."""
        said = self.said.get(key)
        if value not in (None, "") and said is not None and said[0] != value:
            raise ValidationError({self.column(field_name): message % {"line": said[1]}})

    def _role(self, reference, organisation):
        """Return the role `reference` names from a plan of `organisation`, or None.

        A bare slug is looked for in the organisation first, then in its ancestors; a role of an
        unrelated organisation is found here and refused by Action.clean(), which says why.
        """
        if not reference:
            return None
        key = (organisation.pk, reference)
        if key not in self.roles:
            qualifier, _slash, slug = reference.rpartition("/")
            roles = Role.objects.select_related("level__organisation").filter(slug=slug)
            if qualifier:
                found = roles.filter(level__organisation__slug=qualifier).first()
            else:
                lineage = organisation.lineage_ids()
                by_place = {role.level.organisation_id: role
                            for role in roles.filter(level__organisation__in=lineage)}
                found = next((by_place[pk] for pk in lineage if pk in by_place), None)
            self.roles[key] = found
        return self.roles[key]

    def _place_action(self, action, goal, row, errors):
        """Set the action's order from its cell, or after the actions above it if empty."""
        order_text = self.cell(row, "order")
        highest = self.action_orders.get(goal.pk)
        if highest is None:
            highest = goal.actions.aggregate(highest=Max("order"))["highest"]
            highest = -1 if highest is None else highest
        if order_text:
            order = whole_number(order_text)
            if order is None:
                errors["order"] = [_("Enter a whole number.")]
                return
            action.order = order
        elif action.pk is None:
            action.order = highest + 1
        self.action_orders[goal.pk] = max(highest, action.order)

    def _save(self, obj, columns):
        """Validate and save a plan or a goal, naming any error by the column it comes from."""
        try:
            obj.full_clean()
        except ValidationError as error:
            raise ValidationError({
                self.column(columns[key]) if key in columns else key: messages
                for key, messages in error.message_dict.items()
            }) from None
        created = obj.pk is None
        self.row_created = self.row_created or created
        obj.save()
        self.count(obj, created)
        self.row_changed = True


def plan_rows(queryset=None):
    """Return the actions of `queryset` in plan order, with everything the sheet shows fetched.

    `queryset` holds plans, goals or actions. For plans and goals every action of them comes, and
    an unsaved empty action stands for a goal with none (and an unsaved empty goal for a plan with
    none), so that they survive a round trip.
    """
    queryset = ActionPlan.objects.all() if queryset is None else queryset
    goals, actions, keep_empty = Goal.objects.all(), Action.objects.all(), True
    if queryset.model is ActionPlan:
        plans = ActionPlan.objects.filter(pk__in=queryset.values("pk"))
    elif queryset.model is Goal:
        plans = ActionPlan.objects.filter(pk__in=queryset.values("plan"))
        goals = goals.filter(pk__in=queryset.values("pk"))
    else:
        plans = ActionPlan.objects.filter(pk__in=queryset.values("goal__plan"))
        goals = goals.filter(pk__in=queryset.values("goal"))
        actions, keep_empty = actions.filter(pk__in=queryset.values("pk")), False
    actions = actions.select_related("responsible_role__level__organisation").order_by(
        "order", "pk")
    goals = goals.order_by("order", "pk").prefetch_related(Prefetch("actions", queryset=actions))
    plans = (plans.select_related("organisation")
             .prefetch_related(Prefetch("goals", queryset=goals))
             .order_by("organisation__name", "year"))
    rows = []
    for plan in plans:
        plan_goals = list(plan.goals.all())
        if not plan_goals and keep_empty:
            plan_goals = [Goal(plan=plan, text="")]
        for goal in plan_goals:
            goal_actions = list(goal.actions.all()) if goal.pk else []
            if not goal_actions and keep_empty:
                goal_actions = [Action(goal=goal, text="", status="")]
            rows.extend(goal_actions)
    return rows
