"""Placeholder: being written."""


def _todo(*args, **kwargs):
    raise NotImplementedError


inventory_list = inventory = inventory_close = _todo
