"""The privacy notice in Finnish and Swedish, and its history with both languages' columns.

`notice.body` reads the active language's text and falls back to Finnish (settings:
MODELTRANSLATION_*), so a Swedish page shows the Finnish text until a Swedish one is written.
"""

from modeltranslation.translator import register
from simple_history import register as register_history

from privacy.models import PrivacyNotice
from units.history import History
from units.translation import ContentTranslationOptions, keep_finnish_in_original_columns


@register(PrivacyNotice)
class PrivacyNoticeTranslationOptions(ContentTranslationOptions):
    """The notice's texts, each in Finnish and Swedish."""

    fields = ("title", "controller", "body")


keep_finnish_in_original_columns(PrivacyNotice, PrivacyNoticeTranslationOptions.fields)

# History is registered after the translation, so the historical model has a column for each
# language's text too (django-simple-history's advice for django-modeltranslation).
register_history(PrivacyNotice, records_class=History)
