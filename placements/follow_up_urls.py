"""The follow-up worklist and form, under /follow-ups/ (a URL prefix of their own)."""

from django.urls import path

from . import views

app_name = "follow_ups"
urlpatterns = [
    path("", views.follow_up_worklist, name="worklist"),
    path("<int:pk>/", views.follow_up_record, name="record"),
]
