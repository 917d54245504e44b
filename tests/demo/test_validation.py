"""A mistake in a fixture file stops the load with an error naming the file and the item."""

import pytest
from django.core.management.base import CommandError

from units.models import Organisation

MATRIX = """\
organisation: {name: Testilän kunta, slug: testila}
levels:
  - name: Toimintayksiköt
    roles:
      - name: Digitutor
        slug: digitutor
        sectors: [perusopetus]
        duties:
          - Digitutor-tuntien pitäminen
          - %s
"""


def load_matrix(load, tmp_path, duty):
    """Load a one-role matrix whose second duty is `duty`; return the error message."""
    (tmp_path / "testila.yaml").write_text(MATRIX % duty, encoding="utf-8")
    with pytest.raises(CommandError) as error:
        load("--fixtures", str(tmp_path))
    return str(error.value)


def test_an_unknown_sector_is_named_with_its_file_role_and_duty(load, tmp_path):
    message = load_matrix(load, tmp_path, "{text: Koulutus, sectors: [vaka]}")
    assert "testila.yaml" in message
    assert "role 'digitutor'" in message
    assert "duty 2 ('Koulutus')" in message
    assert "unknown sector 'vaka'" in message


def test_an_unknown_together_with_role_is_named(load, tmp_path):
    message = load_matrix(load, tmp_path, "{text: Koulutus, together_with: [rehtori]}")
    assert "unknown role slug 'rehtori'; expected one of digitutor" in message


def test_a_duty_sector_outside_the_roles_sectors_is_refused(load, tmp_path):
    message = load_matrix(load, tmp_path, "{text: Koulutus, sectors: [lukio]}")
    assert "sector 'lukio' is not one of the role's sectors" in message


def test_a_misspelt_key_is_named(load, tmp_path):
    message = load_matrix(load, tmp_path, "{text: Koulutus, sector: [perusopetus]}")
    assert "unknown key 'sector'" in message


def test_model_validation_errors_name_the_item(load, tmp_path):
    message = load_matrix(load, tmp_path, "{text: Koulutus, months: [13]}")
    assert "duty 2 ('Koulutus')" in message
    assert "months:" in message


def test_a_failed_load_leaves_nothing_behind(load, tmp_path):
    load_matrix(load, tmp_path, "{text: Koulutus, area: kaikki}")
    assert not Organisation.objects.filter(slug="testila").exists()
