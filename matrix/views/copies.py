"""Placeholder: being written."""


def copy_differences(request, slug):
    raise NotImplementedError
