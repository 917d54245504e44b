"""The addresses of guard: security.txt where RFC 9116 puts it."""

from django.urls import path

from guard import views

app_name = "guard"

urlpatterns = [
    path(".well-known/security.txt", views.security_txt, name="security_txt"),
]
