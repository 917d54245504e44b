"""Placeholder: being written."""


def _todo(*args, **kwargs):
    raise NotImplementedError


device_list = device_add = cart_list = device = device_edit = device_action = _todo
