"""Placeholder: being written."""


def my_duties(request):
    raise NotImplementedError
