"""Placeholder: being written."""


def plan_list(request, slug):
    raise NotImplementedError


plan_export = plan_list
