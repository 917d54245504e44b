"""What every resource shares: model validation, transactions, headers in any language."""

import pytest
import tablib
from django.conf import settings
from django.utils import translation

from devices.resources import DeviceResource
from matrix.resources import AssignmentResource
from roles.resources import MatrixResource
from units.models import Unit
from units.resources import OrganisationResource, PersonResource, UnitResource

RESOURCES = [OrganisationResource, UnitResource, PersonResource, AssignmentResource,
             DeviceResource, MatrixResource]


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda resource: resource.__name__)
def test_every_resource_runs_model_validation_in_one_transaction(resource):
    assert resource._meta.clean_model_instances is True
    assert resource().get_use_transactions() is True
    assert settings.IMPORT_EXPORT_IMPORT_PERMISSION_CODE == "add"


def test_headers_are_read_in_any_of_the_sites_languages(organisation):
    with translation.override("fi"):
        finnish = UnitResource().get_export_headers()
    assert finnish != UnitResource().get_export_headers()  # "name" is "nimi" in Finnish
    dataset = tablib.Dataset(["a", "Aapelin koulu", "kuopio", "perusopetus"], headers=finnish)

    result = UnitResource().import_data(dataset)

    assert result.totals["new"] == 1 and Unit.objects.get().name == "Aapelin koulu"


def test_blank_lines_are_skipped_and_keep_the_line_numbers(organisation):
    dataset = tablib.Dataset(["", "", "", ""], ["b", "B", "kuopio", "koulu"],
                             headers=["slug", "name", "organisation", "sectors"])

    result = UnitResource().import_data(dataset)

    assert [row.number for row in result.invalid_rows] == [3]
