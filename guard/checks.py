"""The deployment check of guard: security.txt should name who to tell of a vulnerability."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def security_contact(app_configs, **kwargs):
    """Warn when VASTUU_SECURITY_CONTACT is unset, so security.txt names the privacy notice."""
    if settings.VASTUU_SECURITY_CONTACT:
        return []
    return [Warning(
        "VASTUU_SECURITY_CONTACT is not set: /.well-known/security.txt names the privacy "
        "notice as the contact.",
        hint="Set it to the mailto: or https: address that receives vulnerability reports.",
        id="guard.W001",
    )]
