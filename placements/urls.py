from django.urls import path

from . import views

app_name = "placements"
urlpatterns = [
    path("new/<int:pk>/", views.placement_create, name="create"),
    path("<int:pk>/", views.placement_detail, name="detail"),
    path("employers/", views.employer_list, name="employers"),
    path("employers/new/", views.employer_create, name="employer_create"),
    path("employers/<int:pk>/", views.employer_detail, name="employer_detail"),
    path("employers/<int:pk>/edit/", views.employer_edit, name="employer_edit"),
    path("openings/", views.opening_list, name="openings"),
    path("openings/new/", views.opening_create, name="opening_create"),
    path("openings/<int:pk>/", views.opening_detail, name="opening_detail"),
    path("openings/<int:pk>/edit/", views.opening_edit, name="opening_edit"),
    path("openings/<int:pk>/close/", views.opening_close, name="opening_close"),
]
