"""The texts of a matrix in Finnish and Swedish: level and role names, titles, duties.

Each field below has a column per content language (`name_fi`, `name_sv`); `role.name` reads the
active language's text and falls back to Finnish. The Finnish column always has a text, even in
a Swedish-speaking organisation (roles.forms copies the Swedish one there), because the unique
constraints rest on it. Which languages an editor is asked for is the organisation's language.
"""

from modeltranslation.translator import register
from simple_history import register as register_history

from roles.models import Duty, Level, Role
from units.history import History
from units.translation import ContentTranslationOptions, keep_finnish_in_original_columns


@register(Level)
class LevelTranslationOptions(ContentTranslationOptions):
    fields = ("name",)


@register(Role)
class RoleTranslationOptions(ContentTranslationOptions):
    fields = ("name", "responsible_title", "supporting_titles", "description", "joining")


@register(Duty)
class DutyTranslationOptions(ContentTranslationOptions):
    fields = ("text", "recurrence")


for model, options in ((Level, LevelTranslationOptions), (Role, RoleTranslationOptions),
                       (Duty, DutyTranslationOptions)):
    keep_finnish_in_original_columns(model, options.fields)

# History is registered after the translations, so the historical models have a column for each
# language's text too (django-simple-history's advice for django-modeltranslation).
register_history(Level, records_class=History)
register_history(Role, records_class=History,
                 m2m_fields=["sectors", "supporting_roles", "unit_permissions"])
register_history(Duty, records_class=History, m2m_fields=["sectors", "collaborating_roles"])
