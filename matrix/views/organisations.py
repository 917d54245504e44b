"""Placeholder: being written by the organisation pages work."""


def organisation(request, slug):
    raise NotImplementedError


coverage = coverage_export = health = organisation
