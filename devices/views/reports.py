"""Placeholder: being written."""


def _todo(*args, **kwargs):
    raise NotImplementedError


unit_reports = organisation_reports = _todo
