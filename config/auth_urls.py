"""Django's own login, logout and password-change pages, each with its access rule."""

from django.contrib.auth import views as auth_views
from django.urls import path

from centres.access import any_user, public
from hami.forms import LoginForm, PasswordChangeForm

urlpatterns = [
    path(
        "login/",
        public(
            auth_views.LoginView.as_view(
                authentication_form=LoginForm, redirect_authenticated_user=True
            )
        ),
        name="login",
    ),
    path("logout/", any_user(auth_views.LogoutView.as_view()), name="logout"),
    path(
        "password_change/",
        any_user(auth_views.PasswordChangeView.as_view(form_class=PasswordChangeForm)),
        name="password_change",
    ),
    path(
        "password_change/done/",
        any_user(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
]
