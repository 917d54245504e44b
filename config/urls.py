"""The URLs of Vastuu."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from config.health import healthz

admin.site.site_header = _("Vastuu administration")
admin.site.site_title = _("Vastuu")
admin.site.index_title = _("Matrices, units and devices")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("matrix.urls")),
    path("", include("devices.urls")),
    path("", include("plans.urls")),
    path("", include("privacy.urls")),
    path("", include("guard.urls")),
    path("", include("imports.urls")),
]
