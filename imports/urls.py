"""The pages of import jobs."""

from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("imports/<int:pk>/", views.job, name="job"),
    path("imports/<int:pk>/status/", views.job_status, name="job_status"),
]
