"""The pages of action plans."""

from django.urls import path

from plans.views import plans

app_name = "plans"

urlpatterns = [
    path("organisations/<slug:slug>/plans/", plans.plan_list, name="plan_list"),
    path("organisations/<slug:slug>/plans/<int:year>/export/<str:fmt>/", plans.plan_export,
         name="plan_export"),
]
