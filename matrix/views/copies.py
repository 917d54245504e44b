"""How an organisation's copied matrix differs from its template's."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from matrix.copying import matrix_differences
from units.access import organisation_allows, organisation_or_404


@login_required
def copy_differences(request, slug):
    """Show what the organisation's matrix has added, removed and reworded since the copy.

    An organisation whose matrix is not a copy gets a note rather than a 404: the page exists for
    every organisation, and a bookmark outlives a template that was deleted.
    """
    organisation = organisation_or_404(request.user, slug)
    differences = matrix_differences(organisation)
    template = differences.template if differences else None
    user = request.user
    # Staff who may see levels, roles and duties in the admin get a link to each one shown.
    admin_links = {model: user.is_staff and user.has_perm(f"roles.view_{model}")
                   for model in ("level", "role", "duty")}
    return render(request, "matrix/copy_differences.html", {
        "organisation": organisation,
        "differences": differences,
        "counts": differences.counts() if differences else {},
        "template_visible": template is not None and organisation_allows(user, template),
        "admin_links": admin_links,
    })
