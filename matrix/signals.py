"""Keep role-granted unit permissions right when something other than an assignment changes.

Assignments themselves are written through matrix.services, which regrants in the same
transaction. What is left: a role's permissions changing, a person's login changing, and
assignments deleted along with their role, person or unit.
"""

from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from matrix import services
from matrix.models import Assignment
from roles.models import Role
from units.models import Person


@receiver(m2m_changed, sender=Role.unit_permissions.through)
def regrant_role_holders(sender, instance, action, reverse, pk_set, **kwargs):
    """Regrant the holders of a role whose unit permissions changed."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        services.sync_role_holder_permissions(roles=[instance])
    elif pk_set is not None:
        services.sync_role_holder_permissions(roles=Role.objects.filter(pk__in=pk_set))
    else:
        # A permission was taken off every role at once and the roles are no longer known.
        services.sync_all_role_permissions()


@receiver(pre_save, sender=Person)
def remember_previous_login(sender, instance, raw, update_fields, **kwargs):
    """Note which login the person had before the save, for regrant_new_login."""
    instance._login_before_save = None
    if raw or instance.pk is None or (update_fields is not None and "user" not in update_fields):
        return
    instance._login_before_save = (Person.objects.filter(pk=instance.pk)
                                   .values_list("user", flat=True).first())


@receiver(post_save, sender=Person)
def regrant_new_login(sender, instance, created, raw, **kwargs):
    """Move role-granted permissions from the person's old login to the new one."""
    before = getattr(instance, "_login_before_save", None)
    if raw or created or before == instance.user_id:
        return
    # The old login loses what this person's roles gave it; the new one gains it.
    services.sync_login_role_permissions(user_ids={before, instance.user_id})


@receiver(post_delete, sender=Assignment)
def regrant_after_cascade(sender, instance, origin, **kwargs):
    """Take back what an assignment granted when it goes with its role, person or unit."""
    deleted_directly = isinstance(origin, Assignment) or (
        isinstance(origin, QuerySet) and origin.model is Assignment)
    if deleted_directly:
        return  # matrix.services deleted it and regranted already
    user_id = (Person.objects.filter(pk=instance.person_id)
               .values_list("user", flat=True).first())
    services.sync_place_permissions(places=[(user_id, instance.unit_id)])
