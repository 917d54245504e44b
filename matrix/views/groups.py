"""Placeholder: being written."""


def group(request, slug, role):
    raise NotImplementedError
