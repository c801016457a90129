from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.national, name="national"),
    path("cohorts/", views.cohorts, name="cohorts"),
    path("centre/", views.centre_home, name="centre_home"),
]
