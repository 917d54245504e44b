"""The role admin's page that adds a group's members from a pasted or uploaded list.

Adding members is the matrix app's business (assignments), and roles may not import matrix
(apps depend downwards only): the matrix app replaces the role admin's registration with a
subclass that adds the page, as it adds the copy action to the organisation admin.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from matrix import services as member_services
from roles.admin import RoleAdmin
from roles.models import Role

# Adding members may create people as well as assignments.
MEMBER_PERMISSIONS = ("matrix.add_assignment", "matrix.change_assignment", "units.add_person")
# A pasted or uploaded list of members is read up to this size.
MEMBER_LIST_MAX_BYTES = 1_000_000


class MemberListForm(forms.Form):
    """A pasted or uploaded list of a group's members, one per line."""

    lines = forms.CharField(
        label=_("Members, one per line"), required=False,
        widget=forms.Textarea(attrs={"rows": 14, "cols": 90, "spellcheck": "false"}),
        help_text=_("name; home organisation; title; e-mail (optional); chair — the home "
                    "organisation by its code or name, “puheenjohtaja” in the last field for "
                    "the chair. Lines pasted from a spreadsheet (tabs) work too."))
    file = forms.FileField(
        label=_("Or upload a text or CSV file"), required=False,
        help_text=_("The same lines, in UTF-8 or Windows-1252."))
    start_date = forms.DateField(
        label=_("start date"), required=False,
        help_text=_("Leave empty if the membership is already in force."),
        widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        """Read an uploaded file into the lines, so that they come back on the page."""
        cleaned_data = super().clean()
        upload = cleaned_data.get("file")
        if upload is not None:
            if upload.size > MEMBER_LIST_MAX_BYTES:
                raise ValidationError(_("The file is larger than 1 MB."))
            raw = upload.read()
            for encoding in ("utf-8-sig", "cp1252"):
                try:
                    cleaned_data["lines"] = raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
        if not (cleaned_data.get("lines") or "").strip():
            raise ValidationError(_("Paste the members' lines or upload a file."))
        return cleaned_data


admin.site.unregister(Role)


@admin.register(Role)
class RoleMembersAdmin(RoleAdmin):
    """Roles, with a page that adds a group's members from a list."""

    fieldsets = [
        *RoleAdmin.fieldsets[:2],
        (_("Group or network"), {"fields": [
            "is_group", "description", "joining", ("min_holders", "max_holders"),
            "members_link"]}),
        *RoleAdmin.fieldsets[3:],
    ]

    readonly_fields = ["members_link"]

    @admin.display(description=_("members"))
    def members_link(self, role):
        """Link the page that adds a group's members from a list."""
        if role is None or role.pk is None or not role.is_group:
            return "–"
        return format_html('<a href="{}">{}</a>',
                           reverse("admin:roles_role_members", args=[role.pk]),
                           gettext("Add members from a list"))

    def get_urls(self):
        """Add the page that adds a group's members from a pasted or uploaded list."""
        members = path("<path:object_id>/members/",
                       self.admin_site.admin_view(self.members_view),
                       name="roles_role_members")
        return [members, *super().get_urls()]

    def members_view(self, request, object_id):
        """Add a group's members from lines of text: preview, then save all or nothing.

        For those who may change the role and add people and assignments; another
        organisation's role answers 404. The lines come back with every error beside them.
        """
        role = self.get_object(request, object_id)
        if role is None or not self.has_change_permission(request, role):
            raise Http404
        if not request.user.has_perms(MEMBER_PERMISSIONS):
            raise PermissionDenied
        form = MemberListForm(request.POST or None, request.FILES or None)
        result, problem = None, ""
        usable = role.is_group and role.scope == Role.Scope.ORGANISATION
        if not usable:
            problem = gettext("Members can be added from a list only to a group or network "
                              "held in an organisation: tick “group or network” and choose "
                              "the organisation scope first.")
        elif request.method == "POST" and form.is_valid():
            try:
                result = member_services.group_members_add(
                    role=role, text=form.cleaned_data["lines"],
                    start_date=form.cleaned_data["start_date"], commit="save" in request.POST)
            except ValidationError as error:
                problem = " ".join(error.messages)
            if result is not None and result.saved:
                created, linked, already = result.counts()
                self.message_user(request, gettext(
                    "Saved: %(linked)d new members, of whom %(created)d new people; "
                    "%(already)d were members already.")
                    % {"linked": linked, "created": created, "already": already},
                    messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:roles_role_change", args=[role.pk]))
        if result is not None and not result.saved:
            # The uploaded file's lines stay in the text box, so nothing is lost.
            form = MemberListForm(initial={"lines": form.cleaned_data["lines"],
                                           "start_date": form.cleaned_data["start_date"]})
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Add members to %(group)s") % {"group": role.name},
            "opts": self.model._meta,
            "role": role,
            "form": form,
            "usable": usable,
            "problem": problem,
            "result": result,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/roles/role_members.html", context)
