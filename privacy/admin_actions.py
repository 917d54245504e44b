"""The person admin's data-protection steps: the access request's export and erasure.

The person admin (units.admin.PersonAdmin) mixes these in. Both keep to the people the user may
change (a municipality's administrator reads the region's staff but does not export or erase
them); erasure also needs the delete permission, and it replaces deleting, which would take
the person's past roles out of the matrix.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from privacy.services import (
    erasure_counts,
    erasure_refusals,
    person_erase,
    personal_data_export,
)

FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "json": "application/json"}


class PersonDataProtectionAdmin:
    """Actions and a page per person: export everything stored about them, and erase them."""

    actions = ["export_personal_data", "erase_people"]
    change_form_template = "admin/units/person/change_form.html"

    def get_actions(self, request):
        """Offer erasure instead of Django's delete."""
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_urls(self):
        return [
            path("<path:object_id>/personal-data/",
                 self.admin_site.admin_view(self.personal_data_view),
                 name=f"{self.opts.app_label}_{self.opts.model_name}_personal_data"),
            *super().get_urls(),
        ]

    def _changeable(self, request, people):
        """Return `people`, refusing if the user may not change each of them."""
        people = list(people)
        if not all(self.has_change_permission(request, person) for person in people):
            raise PermissionDenied
        return people

    def personal_data_view(self, request, object_id):
        """Answer everything stored about one person as a download (?format=json or xlsx)."""
        person = self.get_object(request, object_id)
        if person is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        self._changeable(request, [person])
        return self._download(person, request.GET.get("format", "xlsx"))

    @staticmethod
    def _download(person, form):
        form = form if form in FORMATS else "xlsx"
        response = HttpResponse(personal_data_export(person, form), content_type=FORMATS[form])
        name = slugify(person.name) or str(person.pk)
        stamp = f"{timezone.localdate():%Y-%m-%d}"
        response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{form}"'
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=gettext_lazy("Export everything stored about the person"),
                  permissions=["change"])
    def export_personal_data(self, request, queryset):
        """Download the access request's export of the one person chosen."""
        people = self._changeable(request, queryset[:2])
        if len(people) != 1:
            self.message_user(request, _("Choose one person to export."), messages.WARNING)
            return None
        return self._download(people[0], "xlsx")

    @admin.action(description=gettext_lazy("Erase the selected people"),
                  permissions=["delete"])
    def erase_people(self, request, queryset):
        """Show what erasing the people chosen does; erase them when confirmed."""
        people = self._changeable(request, queryset.select_related("organisation", "user"))
        if request.POST.get("apply") == "yes":
            return self._erase(request, people)
        return self._erase_page(request, people)

    def delete_view(self, request, object_id, extra_context=None):
        """Deleting a person is erasing them: show the erasure's confirmation."""
        person = self.get_object(request, object_id)
        if person is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_delete_permission(request, person):
            raise PermissionDenied
        return self._erase_page(request, [person])

    def _erase_page(self, request, people):
        refusals = erasure_refusals(people)
        counts = erasure_counts(people)
        rows = [{"person": person, "refusal": refusals.get(person.pk, ""), **counts[person.pk]}
                for person in people]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Erase people"), "opts": self.opts, "rows": rows,
            "erasable": [row for row in rows if not row["refusal"]],
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/units/person/erase.html", context)

    def _erase(self, request, people):
        erased = 0
        for person in people:
            try:
                # The log names what remains, never the person erased.
                self.log_change(request, person_erase(person=person, by=request.user),
                                _("Erased."))
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                continue
            erased += 1
        if erased:
            self.message_user(request, ngettext("Erased %(count)d person.",
                                                "Erased %(count)d people.", erased)
                              % {"count": erased}, messages.SUCCESS)
        return HttpResponseRedirect(reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))
