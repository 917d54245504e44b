"""The choke point's helpers: every page's lookups and yes-or-no checks go through here.

`Unit.objects.for_user()` and `Organisation.objects.for_user()` decide; these helpers look up one
object through them, or answer whether the user may do an action on one. The ids a user is
permitted are read once per user object and action, and kept on it: a request's user lives as
long as the request, so a page that asks many times runs each query once (as NetBox caches
object permissions on the user).
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from units.models import Organisation, Unit, sees_everything

_CACHE = "_vastuu_permitted"


def unit_or_404(user, slug, action="view"):
    """Return the unit `slug` if `user` may do `action` on it; otherwise raise Http404.

    A unit the user may not see answers exactly as one that does not exist.
    """
    return get_object_or_404(Unit.objects.for_user(user, action).with_lineage(), slug=slug)


def unit_allows(user, unit, action="view"):
    """Return whether `user` may do `action` on `unit` (a unit or its id)."""
    return _allows(user, Unit, unit, action)


def organisation_allows(user, organisation, action="view"):
    """Return whether `user` may do `action` on `organisation` (itself, not only its units)."""
    return _allows(user, Organisation, organisation, action)


def permitted_ids(user, model, ids, action="view"):
    """Return those of `ids` (of Unit or Organisation) on which `user` may do `action`.

    For deciding which of the units or organisations a page names it may link.
    """
    ids = set(ids)
    if not ids or not user.is_authenticated or not user.is_active:
        return set()
    if sees_everything(user, action):
        return ids
    return ids & _permitted_ids(user, model, action)


def may_anywhere(user, action="view"):
    """Return whether `user` may do `action` on some organisation or other."""
    if not user.is_authenticated or not user.is_active:
        return False
    return sees_everything(user, action) or bool(_permitted_ids(user, Organisation, action))


def organisation_or_404(user, slug, *, unit_viewers=False):
    """Return the organisation `slug` if `user` may view it; otherwise raise Http404.

    With `unit_viewers`, a user who may view any unit of the organisation (or of one below it)
    may see it too: for pages that show roles and duties but nobody's name.
    """
    organisation = get_object_or_404(
        Organisation.objects.select_related("parent__parent", "template"), slug=slug)
    if organisation_allows(user, organisation):
        return organisation
    if unit_viewers and (Unit.objects.for_user(user, "view")
                         .in_organisation(organisation).exists()):
        return organisation
    raise Http404("No organisation matches the given query.")


def organisation_ids_of(obj, paths):
    """Return the ids of the organisations `obj` belongs to, read along the lookups `paths`.

    A path such as "unit__organisation" leads from the object to an organisation; "" stands
    for an organisation itself, or, while it is unsaved, for the one it is placed under.
    """
    ids = set()
    for path in paths:
        if not path:
            ids.add(obj.pk if obj.pk is not None else obj.parent_id)
            continue
        node = obj
        for name in path.split("__"):
            node = getattr(node, name, None)
            if node is None:
                break
        if node is not None:
            ids.add(node.pk)
    return ids - {None}


def forget_permitted(user):
    """Drop what is remembered of `user`'s permissions, after a change that may alter them."""
    if hasattr(user, _CACHE):
        delattr(user, _CACHE)


def _allows(user, model, obj, action):
    pk = getattr(obj, "pk", obj)
    return pk in permitted_ids(user, model, [pk], action)


def _permitted_ids(user, model, action):
    """Return the ids of the `model` objects on which `user` may do `action`, read once."""
    cache = getattr(user, _CACHE, None)
    if cache is None:
        cache = {}
        setattr(user, _CACHE, cache)
    key = (model._meta.label, action)
    if key not in cache:
        cache[key] = frozenset(model.objects.for_user(user, action)
                               .order_by().values_list("pk", flat=True))
    return cache[key]
