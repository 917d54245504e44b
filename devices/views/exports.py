"""Placeholder: being written."""


def _todo(*args, **kwargs):
    raise NotImplementedError


unit_export = organisation_export = _todo
