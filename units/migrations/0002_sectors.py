"""Create the five sectors. Their codes are fixed; names are shown translated by Sector.Code."""

from django.db import migrations

SECTORS = [
    ("varhaiskasvatus", "Varhaiskasvatus", 1),
    ("esiopetus", "Esiopetus", 2),
    ("perusopetus", "Perusopetus", 3),
    ("lukio", "Lukiokoulutus", 4),
    ("kirjasto", "Kirjasto", 5),
]


def create_sectors(apps, schema_editor):
    Sector = apps.get_model("units", "Sector")
    for code, name, order in SECTORS:
        Sector.objects.update_or_create(code=code, defaults={"name": name, "order": order})


def remove_sectors(apps, schema_editor):
    apps.get_model("units", "Sector").objects.filter(
        code__in=[code for code, _name, _order in SECTORS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("units", "0001_initial")]

    operations = [migrations.RunPython(create_sectors, remove_sectors)]
