"""Placeholder: being written by the annual clock work."""


def clock(request, slug):
    raise NotImplementedError
