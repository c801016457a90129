"""Persian for everyone until they choose English; then English sticks."""

import polib
import pytest
from django.conf import settings
from django.urls import reverse

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


@pytest.mark.django_db
def test_persian_is_served_to_an_english_browser_that_chose_nothing(client):
    response = client.get(reverse("login"), **ENGLISH_BROWSER)
    assert '<html lang="fa" dir="rtl">' in response.content.decode()
    assert "bootstrap.rtl.min.css" in response.content.decode()


@pytest.mark.django_db
def test_choosing_english_sticks_through_the_cookie(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    page = client.get(reverse("login"), **ENGLISH_BROWSER).content.decode()
    assert '<html lang="en" dir="ltr">' in page
    assert "Log in to Hami" in page


@pytest.mark.django_db
def test_a_logged_in_users_choice_is_saved_and_follows_them_to_a_new_device(
    client, login, staff, centre
):
    login(staff).post(reverse("set_language"), {"language": "en", "next": "/"})
    staff.refresh_from_db()
    assert staff.language == "en"

    client.cookies.clear()  # a new browser: no language cookie
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("centres:detail", args=[centre.pk])).content.decode()
    assert '<html lang="en" dir="ltr">' in page


@pytest.mark.django_db
def test_persian_pages_show_persian_digits_and_jalali_dates(login, staff, centre):
    centre.opened_on = "2024-08-03"
    centre.save()
    page = login(staff).get(reverse("centres:detail", args=[centre.pk])).content.decode()
    assert "۱۴۰۳/۰۵/۱۳" in page
    assert "۶۰" in page  # the capacity, in Persian digits


def test_every_persian_translation_is_present_and_not_fuzzy():
    catalogues = sorted((settings.LOCALE_PATHS[0] / "fa" / "LC_MESSAGES").glob("*.po"))
    assert catalogues, "locale/fa/LC_MESSAGES/django.po is missing"
    for path in catalogues:
        catalogue = polib.pofile(str(path))
        missing = [e.msgid for e in catalogue.untranslated_entries()]
        fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
        assert not missing, f"untranslated in {path.name}: {missing[:10]}"
        assert not fuzzy, f"fuzzy in {path.name}: {fuzzy[:10]}"
