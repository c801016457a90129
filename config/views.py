"""Site-wide pages that belong to no single app: home, health check, language switch."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from centres.access import NATIONAL, STAFF, access, public
from centres.roles import principal_for


@access(STAFF, NATIONAL)
def home(request):
    principal = principal_for(request.user)
    if principal.sees_all_centres:
        return redirect("dashboard:national")
    return redirect("dashboard:centre_home")


@public
@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy"; the body says which part
        return JsonResponse({"database": "unavailable"}, status=503)
    return JsonResponse({"database": "ok"})


@public
@require_POST
def set_language(request):
    """Django's set_language (cookie), and for a logged-in user the saved choice too, so
    the language follows them to the next device and survives the cookie."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response


def locked_out(request, original_response=None, credentials=None):
    """django-axes calls this after too many failed logins: a page that says for how long."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)
