from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("accounts/", include("config.auth_urls")),
    path("centres/", include("centres.urls")),
    path("clients/", include("clients.urls")),
    path("placements/", include("placements.urls")),
    path("follow-ups/", include("placements.follow_up_urls")),
    path("loans/", include("loans.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("admin/", admin.site.urls),
]
