from django.urls import path

from . import application_views, views

app_name = "centres"
urlpatterns = [
    path("", views.centre_list, name="list"),
    path("<int:pk>/", views.centre_detail, name="detail"),
    path("courses/", views.course_list, name="courses"),
    path("courses/new/", views.course_create, name="course_create"),
    path("courses/<int:pk>/edit/", views.course_edit, name="course_edit"),
    path("network/", application_views.network, name="network"),
    # Open without logging in: applying, following an application, the manager's invitation.
    path("apply/", application_views.apply, name="apply"),
    path("apply/track/", application_views.track, name="track"),
    path("apply/changes/", application_views.revise, name="revise"),
    path("invitation/", application_views.invitation, name="invitation"),
    # The national office's review.
    path("applications/", application_views.application_list, name="applications"),
    path("applications/<int:pk>/", application_views.application_detail, name="application"),
    path(
        "applications/<int:pk>/review/",
        application_views.application_review,
        name="application_review",
    ),
    path(
        "applications/<int:pk>/approve/",
        application_views.application_approve,
        name="application_approve",
    ),
    path(
        "applications/<int:pk>/return/",
        application_views.application_return,
        name="application_return",
    ),
    path(
        "applications/<int:pk>/invite/",
        application_views.application_invite,
        name="application_invite",
    ),
    path(
        "applications/documents/<int:pk>/",
        application_views.application_document,
        name="application_document",
    ),
]
