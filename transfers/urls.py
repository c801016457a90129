from django.urls import path

from . import views

app_name = "transfers"
urlpatterns = [
    path("", views.transfer_list, name="list"),
    path("request/", views.transfer_request, name="request"),
    path("<int:pk>/", views.transfer_decide, name="decide"),
    path("client/<int:pk>/", views.transfer_now, name="transfer_now"),
]
