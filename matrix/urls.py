"""The pages of the responsibility matrix."""

from django.urls import path

from matrix.views import assignments, clock, copies, groups, me, organisations, units

app_name = "matrix"

urlpatterns = [
    path("", units.home, name="home"),
    path("me/", me.my_duties, name="my_duties"),
    path("units/<slug:slug>/", units.unit, name="unit"),
    path("units/<slug:slug>/grid/", units.unit_grid, name="unit_grid"),
    path("units/<slug:slug>/export/<str:fmt>/", units.unit_export, name="unit_export"),
    path("units/<slug:slug>/assignments/add/", assignments.assignment_add,
         name="assignment_add"),
    path("units/<slug:slug>/assignments/<int:pk>/edit/", assignments.assignment_edit,
         name="assignment_edit"),
    path("units/<slug:slug>/assignments/<int:pk>/end/", assignments.assignment_end,
         name="assignment_end"),
    path("organisations/<slug:slug>/", organisations.organisation, name="organisation"),
    path("organisations/<slug:slug>/coverage/", organisations.coverage, name="coverage"),
    path("organisations/<slug:slug>/coverage/export/<str:fmt>/", organisations.coverage_export,
         name="coverage_export"),
    path("organisations/<slug:slug>/health/", organisations.health, name="health"),
    path("organisations/<slug:slug>/clock/", clock.clock, name="clock"),
    path("organisations/<slug:slug>/copy-differences/", copies.copy_differences,
         name="copy_differences"),
    path("organisations/<slug:slug>/groups/<slug:role>/", groups.group, name="group"),
]
