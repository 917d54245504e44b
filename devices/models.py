"""The device register: every unit's devices, with carts, loans and events to come."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from units.models import Person, Unit


class DeviceQuerySet(models.QuerySet):
    """Queries over devices."""

    def in_unit(self, unit):
        """Return the devices of `unit`."""
        return self.filter(unit=unit)

    def for_user(self, user, action="view"):
        """Return the devices of the units on which `user` may do `action`."""
        return self.filter(unit__in=Unit.objects.for_user(user, action))


class Device(models.Model):
    """A laptop, tablet, projector or other device registered to a unit."""

    class Category(models.TextChoices):
        TEACHER_LAPTOP = "teacher_laptop", _("Teacher laptop")
        PUPIL_LAPTOP = "pupil_laptop", _("Pupil laptop")
        SHARED_LAPTOP = "shared_laptop", _("Shared laptop")
        TABLET = "tablet", _("Tablet")
        DESKTOP = "desktop", _("Desktop computer")
        DISPLAY = "display", _("Display")
        PROJECTOR = "projector", _("Projector")
        DOCUMENT_CAMERA = "document_camera", _("Document camera")
        AUDIO = "audio", _("Audio")
        CHARGING_CART = "charging_cart", _("Charging cart")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        IN_STOCK = "in_stock", _("In stock")
        IN_USE = "in_use", _("In use")
        IN_REPAIR = "in_repair", _("In repair")
        RETIRED = "retired", _("Retired")
        HANDED_ON = "handed_on", _("Handed on")
        LOST = "lost", _("Lost")

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="devices")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    asset_tag = models.CharField(_("asset tag"), max_length=50, unique=True)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    model = models.CharField(_("model"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.IN_STOCK)
    holder = models.ForeignKey(Person, verbose_name=_("holder"), on_delete=models.SET_NULL,
                               null=True, blank=True, related_name="devices")

    objects = DeviceQuerySet.as_manager()

    class Meta:
        ordering = ["unit", "asset_tag"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        constraints = [
            models.UniqueConstraint(fields=["serial_number"], condition=~Q(serial_number=""),
                                    name="device_serial_unique_where_given"),
        ]

    def __str__(self):
        return f"{self.asset_tag} {self.model}".strip()

    def clean(self):
        super().clean()
        self.asset_tag = self.asset_tag.strip().upper()
        self.serial_number = self.serial_number.strip()
        if self.holder_id and self.unit_id:
            unit_orgs = self.unit.organisation.lineage_ids()
            holder_org = self.holder.organisation
            if holder_org.pk not in unit_orgs and self.unit.organisation_id not in (
                holder_org.lineage_ids()
            ):
                raise ValidationError({"holder": _(
                    "%(person)s does not work in the organisation of %(unit)s."
                ) % {"person": self.holder.name, "unit": self.unit}})
