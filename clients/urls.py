from django.urls import path

from . import imports, views

app_name = "clients"
urlpatterns = [
    path("", views.client_list, name="list"),
    path("worklist/", views.worklist, name="worklist"),
    path("new/", views.client_create, name="create"),
    path("import/", imports.import_clients, name="import"),
    path("import/<int:pk>/", imports.import_status, name="import_status"),
    path("<int:pk>/", views.client_detail, name="detail"),
    path("<int:pk>/edit/", views.client_edit, name="edit"),
    path("<int:pk>/assess/", views.assessment_create, name="assess"),
    path("<int:pk>/reopen/", views.enrolment_reopen, name="reopen"),
    path("seats/<int:pk>/", views.centre_seats, name="seats"),
    path("enrolments/<int:pk>/training/", views.enrolment_start_training, name="start_training"),
    path("enrolments/<int:pk>/finish/", views.enrolment_finish_training, name="finish_training"),
    path("enrolments/<int:pk>/withdraw/", views.enrolment_withdraw, name="withdraw"),
    path("enrolments/<int:pk>/not-ready/", views.enrolment_not_ready, name="not_ready"),
    path("enrolments/<int:pk>/confirm-seat/", views.enrolment_confirm_seat, name="confirm_seat"),
    path("enrolments/<int:pk>/skip-seat/", views.enrolment_skip_seat, name="skip_seat"),
]
