"""Changing one's password on a Persian page: Persian labels, help and refusals, Persian
digits, and the confirmation field asks for the new password again, not the old one."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LATIN_LETTERS = re.compile(r"[A-Za-z]{3,}")


def main_text(response) -> str:
    """The words of the page's <main>, tags removed."""
    body = response.content.decode()
    main = body[body.index("<main") : body.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main.split(">", 1)[1]))


def errors_of(response, field):
    return response.context["form"].errors[field]


def test_the_persian_page_speaks_persian_with_persian_digits(login, staff):
    text = main_text(login(staff).get(reverse("password_change")))
    assert not LATIN_LETTERS.findall(text), LATIN_LETTERS.findall(text)
    assert "۸" in text  # at least 8 characters
    assert not re.search("[0-9]", text)


def test_the_confirmation_asks_for_the_new_password_again_not_the_old_one(login, staff):
    form = login(staff).get(reverse("password_change")).context["form"]
    help_text = str(form["new_password2"].help_text)
    assert "جدید" in help_text  # the new password
    assert "قبلی" not in help_text  # Django's own catalogue says "the previous password"


def test_a_short_common_new_password_is_refused_in_persian_with_persian_digits(
    login, staff, password
):
    response = login(staff).post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "abc", "new_password2": "abc"},
    )
    assert response.status_code == 200
    (too_short, too_common) = errors_of(response, "new_password2")
    assert "کوتاه" in too_short and "۸" in too_short and "8" not in too_short
    assert "گذرواژه" in too_common
    assert not LATIN_LETTERS.findall(" ".join([too_short, too_common]))


def test_a_wrong_current_password_and_two_different_new_ones_are_refused_in_persian(login, staff):
    response = login(staff).post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "x-Quiet-Garden-58", "new_password2": "y"},
    )
    (wrong,) = errors_of(response, "old_password")
    (mismatch,) = errors_of(response, "new_password2")
    assert "فعلی" in wrong
    assert "یکسان نیستند" in mismatch


def test_the_english_page_stays_english(login, staff, client):
    staff.language = "en"
    staff.save()
    response = login(staff).post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "abc", "new_password2": "abc"},
    )
    assert errors_of(response, "new_password2")[0] == (
        "This password is too short: use at least 8 characters."
    )


def test_a_good_new_password_is_saved_as_typed(login, staff, password):
    new = " a Quiet\u200bgarden 58 "  # spaces and a zero-width space are part of it
    response = login(staff).post(
        reverse("password_change"),
        {"old_password": password, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password(new)
