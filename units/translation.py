"""Sector names in Finnish and Swedish, and what every translated model of Vastuu shares.

modeltranslation gives each registered field a column per content language (`name_fi`,
`name_sv`); `sector.name` reads the active language's text and falls back to Finnish (settings:
MODELTRANSLATION_*). English pages show the Finnish text.
"""

from modeltranslation.translator import TranslationOptions, register

from units.models import Sector

FINNISH, SWEDISH = "fi", "sv"
CONTENT_LANGUAGES = (FINNISH, SWEDISH)


class ContentTranslationOptions(TranslationOptions):
    """Store a text left empty as NULL, so the Swedish copies of unique constraints never clash.

    modeltranslation copies every unique constraint over a translated field to each language's
    column; two roles with no Swedish name must not count as two roles with the same one.
    """

    empty_values = None


def keep_finnish_in_original_columns(model, field_names):
    """Make the untranslated column of each of `field_names` hold the Finnish text.

    modeltranslation keeps each field's original column and writes the active language's text
    into it on save. The models' own unique constraints are declared on those columns, so they
    are kept Finnish whoever saves: then the constraints mean what they did before Swedish texts
    came (modeltranslation's copies guard the _fi and _sv columns).
    """
    for name in field_names:
        field = model._meta.get_field(name)
        finnish = f"{name}_{FINNISH}"
        field.pre_save = lambda instance, add, finnish=finnish: getattr(instance, finnish) or ""


@register(Sector)
class SectorTranslationOptions(ContentTranslationOptions):
    fields = ("name",)


keep_finnish_in_original_columns(Sector, SectorTranslationOptions.fields)
