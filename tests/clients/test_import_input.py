"""An imported row is read by the same form, so by the same text reader and date bounds, as
the registration page: what the page refuses, the file cannot bring in."""

from datetime import date

import pytest

from centres.models import Province
from centres.scoping import scope_for
from clients.importing import ClientRowForm

from ..factories import national_code

pytestmark = pytest.mark.django_db


def row(**changes):
    cells = {
        "id_type": "national_code",
        "id_number": national_code(11),
        "welfare_file_number": "ISF-01-00081",
        "first_name": "زهرا",
        "last_name": "احمدی",
        "father_name": "",
        "gender": "female",
        "birth_date": "1370/06/31",
        "mobile": "",
        "province": Province.objects.order_by("code").first().code,
        "city": "اصفهان",
        "address": "",
        "category": "female_head",
        "education": "diploma",
        "consent": True,
    }
    return cells | changes


@pytest.fixture
def checked(staff, centre):
    """The import's check of one row, in the scope the staff's upload runs in."""

    def _checked(**changes):
        provinces = {province.code: province for province in Province.objects.all()}
        with scope_for(staff):
            form = ClientRowForm(data=row(**changes), centre=centre, provinces=provinces)
            form.is_valid()
        return form

    return _checked


def test_a_clean_row_passes(checked):
    form = checked()
    assert form.is_valid(), form.errors


@pytest.mark.parametrize("field", ["first_name", "last_name", "city"])
def test_a_cell_of_only_zero_width_characters_is_empty(checked, field):
    form = checked(**{field: "\u200b\u200c\ufeff"})
    assert [e.code for e in form.errors.as_data()[field]] == ["required"]


def test_a_cell_with_a_control_character_is_refused(checked):
    form = checked(first_name="زهرا\x07", address="خیابان\x1b[31m آزادی")
    assert [e.code for e in form.errors.as_data()["first_name"]] == ["control_character"]
    assert [e.code for e in form.errors.as_data()["address"]] == ["control_character"]


def test_a_file_number_in_small_letters_is_read_in_capitals(checked):
    assert (
        checked(welfare_file_number="isf-01-۰۰۰۸۱").cleaned_data["welfare_file_number"]
        == "ISF-01-00081"
    )


def test_a_ten_digit_residence_card_is_refused(checked):
    form = checked(id_type="residence_card", id_number="0013542418")
    assert [e.code for e in form.errors.as_data()["id_number"]] == [
        "residence_card_is_national_code"
    ]


def test_an_excel_date_cell_of_9999_is_refused(checked):
    form = checked(birth_date=date(9999, 12, 31))
    assert not form.is_valid()
    assert "birth_date" in form.errors
