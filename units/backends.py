"""An authentication backend that answers object permissions on units and organisations.

`user.has_perm("units.manage_devices", unit)` asks the choke point, so it counts grants by
hand, grants on an organisation above, and the roles the user holds there today, exactly as the
pages do. It replaces guardian's backend, which would count the guardian rows only.
"""

from units.access import organisation_allows, unit_allows
from units.models import ACTIONS, Organisation, Unit

# "units.<codename>" → (model, action) for every object permission the choke point knows.
_OBJECT_PERMISSIONS = {
    **{f"units.{codes.unit}": (Unit, action) for action, codes in ACTIONS.items()},
    **{f"units.{codes.organisation}": (Organisation, action) for action, codes in ACTIONS.items()},
}


class UnitAccessBackend:
    """Answer object permissions on units and organisations through the choke point."""

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        """Return whether `user_obj` holds `perm` on the unit or organisation `obj`."""
        if obj is None:
            return False
        model, action = _OBJECT_PERMISSIONS.get(perm, (None, None))
        if model is None or not isinstance(obj, model):
            return False
        check = unit_allows if model is Unit else organisation_allows
        return check(user_obj, obj, action)
