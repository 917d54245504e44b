"""The privacy notice's page."""

from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("tietosuojaseloste/", views.notice, name="notice"),
]
