from datetime import date

import pytest
from django import forms
from django.utils import translation

from hami.forms import HamiFormMixin, JalaliDateField, MobileField, MoneyField, NationalCodeField


class ClientForm(forms.Form):
    birth_date = JalaliDateField()
    national_code = NationalCodeField()
    mobile = MobileField(required=False)


class BoundedForm(forms.Form):
    started_on = JalaliDateField(min_date=date(2024, 3, 20), max_date=lambda: date(2025, 3, 20))


class LoanForm(forms.Form):
    amount = MoneyField(max_value=5_000_000_000)


def clean_date(typed, language, field=None):
    with translation.override(language):
        return (field or JalaliDateField()).clean(typed)


def refusal(typed, language, field=None):
    """The reason's code and its message, typed in `language`, read in English."""
    with translation.override(language), pytest.raises(forms.ValidationError) as refused:
        (field or JalaliDateField()).clean(typed)
    with translation.override("en"):
        return refused.value.code, refused.value.messages


def render(form, name, language):
    with translation.override(language):
        return str(form[name])


# Persian: a text input holding a Jalali date, for the vendored Jalali date picker.


def test_persian_widget_is_a_text_input_for_the_jalali_picker():
    html = render(ClientForm(initial={"birth_date": date(2024, 8, 3)}), "birth_date", "fa")
    assert 'type="text"' in html
    assert 'value="۱۴۰۳/۰۵/۱۳"' in html
    for attribute in (
        "data-jdp",
        'inputmode="numeric"',
        'dir="ltr"',
        'autocomplete="off"',
        'placeholder="۱۴۰۳/۰۵/۱۳"',
    ):
        assert attribute in html


def test_persian_widget_passes_the_date_limits_to_the_picker():
    html = render(BoundedForm(), "started_on", "fa")
    assert 'data-jdp-min-date="1403/01/01"' in html
    assert 'data-jdp-max-date="1403/12/30"' in html


def test_persian_widget_shows_what_was_typed_again_with_the_error():
    form = ClientForm(data={"birth_date": "1404/12/30"})
    assert 'value="1404/12/30"' in render(form, "birth_date", "fa")


@pytest.mark.parametrize("typed", ["1403/05/13", "۱۴۰۳/۰۵/۱۳", "1403-5-13", " ۱۴۰۳/۵/۱۳ "])
def test_persian_field_accepts_jalali_in_persian_or_latin_digits(typed):
    assert clean_date(typed, "fa") == date(2024, 8, 3)


def test_persian_field_accepts_esfand_30_in_a_leap_year():
    assert clean_date("1403/12/30", "fa") == date(2025, 3, 20)


def test_persian_field_reads_an_obviously_gregorian_year_as_gregorian():
    assert clean_date("2024-08-03", "fa") == date(2024, 8, 3)


def test_empty_optional_date_is_none():
    assert clean_date("", "fa", JalaliDateField(required=False)) is None
    assert clean_date("  ", "en", JalaliDateField(required=False)) is None


def test_esfand_30_in_non_leap_year_is_refused_with_reason():
    assert refusal("1404/12/30", "fa") == (
        "not_leap_year",
        ["1404 has no 30 Esfand: this year's Esfand has 29 days."],
    )


def test_month_13_is_refused_with_reason():
    assert refusal("1403/13/01", "fa") == ("invalid_month", ["Month must be between 1 and 12."])


def test_month_0_is_refused_with_reason():
    assert refusal("1403/00/10", "fa") == ("invalid_month", ["Month must be between 1 and 12."])


def test_day_31_of_mehr_is_refused_with_reason():
    assert refusal("1403/07/31", "fa") == (
        "invalid_day",
        ["Mehr has 30 days, so the day must be between 1 and 30."],
    )


def test_garbage_is_refused_with_an_example_date():
    assert refusal("next tuesday", "fa") == ("invalid", ["Enter a date like 1403/05/13."])


def test_a_date_written_day_first_is_refused_with_reason():
    assert refusal("13/05/1403", "fa") == (
        "year_last",
        ["Write the year first, then the month and the day, like 1403/05/13."],
    )


def test_a_two_digit_year_is_refused_with_reason():
    assert refusal("03/05/13", "fa") == (
        "short_year",
        ["Write the year with four digits, like 1403/05/13."],
    )


def test_reason_parameters_follow_the_language_the_message_is_shown_in():
    with translation.override("fa"), pytest.raises(forms.ValidationError) as refused:
        JalaliDateField().clean("1403/07/31")
    with translation.override("fa"):
        (message,) = refused.value.messages
    assert "مهر" in message
    assert "۳۰" in message


def test_a_reason_message_can_be_replaced_by_its_code():
    field = JalaliDateField(error_messages={"not_leap_year": "No such day."})
    assert refusal("1404/12/30", "fa", field) == ("not_leap_year", ["No such day."])


def test_dates_outside_the_limits_are_refused_naming_the_limit():
    field = BoundedForm.base_fields["started_on"]
    assert refusal("1402/12/29", "fa", field) == (
        "min_date",
        ["Enter a date on or after 2024-03-20."],
    )
    assert refusal("2025-03-21", "en", field) == (
        "max_date",
        ["Enter a date on or before 2025-03-20."],
    )


def test_the_limit_in_a_persian_message_is_a_jalali_date():
    with translation.override("fa"), pytest.raises(forms.ValidationError) as refused:
        BoundedForm.base_fields["started_on"].clean("1404/01/01")
    with translation.override("fa"):
        assert "۱۴۰۳/۱۲/۳۰" in refused.value.messages[0]


# English: the browser's date input with ISO dates.


def test_english_widget_is_a_native_date_input_with_iso_value():
    html = render(ClientForm(initial={"birth_date": date(2024, 8, 3)}), "birth_date", "en")
    assert 'type="date"' in html
    assert 'value="2024-08-03"' in html
    assert "data-jdp" not in html


def test_english_widget_passes_the_date_limits_to_the_browser():
    html = render(BoundedForm(), "started_on", "en")
    assert 'min="2024-03-20"' in html
    assert 'max="2025-03-20"' in html


def test_english_field_accepts_iso_dates():
    assert clean_date("2024-08-03", "en") == date(2024, 8, 3)
    assert clean_date("۲۰۲۴-۰۸-۰۳", "en") == date(2024, 8, 3)


def test_english_field_refuses_impossible_iso_dates_with_reason():
    assert refusal("2025-02-29", "en") == (
        "invalid_day",
        ["February has 28 days, so the day must be between 1 and 28."],
    )
    assert refusal("2024-13-01", "en") == ("invalid_month", ["Month must be between 1 and 12."])
    assert refusal("03/08/2024", "en") == ("invalid", ["Enter a date like 2024-08-03."])


def test_one_form_class_serves_both_languages():
    form = ClientForm(initial={"birth_date": date(2025, 3, 20)})
    assert 'value="۱۴۰۳/۱۲/۳۰"' in render(form, "birth_date", "fa")
    assert 'value="2025-03-20"' in render(form, "birth_date", "en")


# National code and mobile.


def test_national_code_and_mobile_are_cleaned_to_latin_digits():
    with translation.override("fa"):
        form = ClientForm(
            data={
                "birth_date": "۱۳۸۰/۰۱/۰۱",
                "national_code": "۰۰۱-۳۵۴۲۴۱-۹",
                "mobile": "+98 912 123 4567",
            }
        )
        assert form.is_valid(), form.errors
    assert form.cleaned_data["national_code"] == "0013542419"
    assert form.cleaned_data["mobile"] == "09121234567"
    assert form.cleaned_data["birth_date"] == date(2001, 3, 21)


def test_a_bad_national_code_is_an_error_on_its_field():
    with translation.override("en"):
        form = ClientForm(data={"birth_date": "2001-03-21", "national_code": "0013542418"})
        assert not form.is_valid()
    assert form.errors.as_data()["national_code"][0].code == "national_code_checksum"


def test_an_empty_optional_mobile_stays_empty():
    assert MobileField(required=False).clean("") == ""


def test_number_fields_ask_for_the_numeric_keypad_left_to_right():
    form = ClientForm()
    for name in ("national_code", "mobile"):
        html = render(form, name, "fa")
        assert 'inputmode="numeric"' in html
        assert 'dir="ltr"' in html


# Money.


def test_money_typed_in_tomans_is_cleaned_to_rials(settings):
    settings.HAMI_MONEY_UNIT = "toman"
    assert LoanForm.base_fields["amount"].clean("۱٬۵۰۰٬۰۰۰") == 15_000_000


def test_money_initial_rials_are_shown_in_the_display_unit(settings):
    settings.HAMI_MONEY_UNIT = "toman"
    assert 'value="1500000"' in render(LoanForm(initial={"amount": 15_000_000}), "amount", "fa")


@pytest.mark.parametrize(
    ("typed", "code"),
    [("abc", "invalid"), ("1.25", "fraction"), ("-5", "min_value"), ("600000000", "max_value")],
)
def test_money_that_cannot_be_is_refused_with_reason(settings, typed, code):
    settings.HAMI_MONEY_UNIT = "toman"
    with pytest.raises(forms.ValidationError) as refused:
        LoanForm.base_fields["amount"].clean(typed)
    assert refused.value.code == code


# Every date field has outer bounds: no year 1, no year 9999.


@pytest.mark.parametrize(
    ("typed", "language", "code"),
    [
        ("0001-01-01", "en", "min_date"),
        ("1899-12-31", "en", "min_date"),
        ("9999-12-31", "en", "max_date"),
        ("2100-01-01", "en", "max_date"),
        ("9999/12/31", "fa", "max_date"),  # read as Gregorian: no Jalali year is 9999 yet
        ("1278/01/01", "fa", "min_date"),
        ("1479/01/01", "fa", "max_date"),
    ],
)
def test_a_date_field_without_limits_still_refuses_absurd_years(typed, language, code):
    assert refusal(typed, language)[0] == code


def test_the_outer_bounds_are_accepted_at_their_edges():
    assert clean_date("1900-01-01", "en") == date(1900, 1, 1)
    assert clean_date("2099-12-31", "en") == date(2099, 12, 31)


def test_a_field_limit_wider_than_the_outer_bounds_is_narrowed_to_them():
    field = JalaliDateField(min_date=date(1, 1, 1), max_date=date(9999, 12, 31))
    assert refusal("0100-01-01", "en", field)[0] == "min_date"
    assert refusal("9000-01-01", "en", field)[0] == "max_date"


def test_the_picker_is_given_the_outer_bounds_too():
    html = render(ClientForm(), "birth_date", "en")
    assert 'min="1900-01-01"' in html
    assert 'max="2099-12-31"' in html


def test_a_form_narrowing_a_limit_changes_its_own_copy_only():
    form = BoundedForm()
    form.fields["started_on"].min_date = date(2024, 6, 1)
    assert 'min="2024-06-01"' in render(form, "started_on", "en")
    assert 'min="2024-03-20"' in render(BoundedForm(), "started_on", "en")


# HamiFormMixin: one place that reads every text field of every form.


class ProfileForm(HamiFormMixin, forms.Form):
    name = forms.CharField(max_length=5)
    city = forms.CharField(required=False)
    address = forms.CharField(required=False, widget=forms.Textarea)
    secret = forms.CharField(required=False, strip=False, widget=forms.PasswordInput)
    age = forms.IntegerField(required=False, max_value=70)


def cleaned(language="en", **data):
    with translation.override(language):
        form = ProfileForm(data={"name": "علی"} | data)
        valid = form.is_valid()
        errors = {
            name: [(e.code, " ".join(e)) for e in errs]
            for name, errs in form.errors.as_data().items()
        }
    return valid, form.cleaned_data, errors


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c\u200c", "\ufeff", "\u200b \u200c\ufeff"])
def test_a_required_text_of_only_invisible_characters_is_empty_and_refused(invisible):
    valid, _, errors = cleaned(name=invisible)
    assert not valid
    assert [code for code, _ in errors["name"]] == ["required"]


@pytest.mark.parametrize("control", ["\x01", "\x07", "\x1b", "\x7f", "\x9b"])
def test_control_characters_in_any_text_field_are_refused(control):
    valid, _, errors = cleaned(city=f"تهران{control}")
    assert not valid
    assert [code for code, _ in errors["city"]] == ["control_character"]


def test_text_fields_are_normalised_before_their_own_checks():
    valid, data, errors = cleaned(name=" علي\u200b ", city="  تهران  \u200e")
    assert valid, errors
    assert (data["name"], data["city"]) == ("علی", "تهران")


def test_the_length_limit_counts_the_normalised_text():
    # Six characters typed, five once the zero-width space is gone.
    valid, data, _ = cleaned(name="مری\u200bمم")
    assert valid
    assert data["name"] == "مریمم"


def test_a_text_area_keeps_its_line_breaks():
    valid, data, _ = cleaned(address="خیابان آزادی\r\nپلاک ۳")
    assert valid
    assert data["address"] == "خیابان آزادی\nپلاک ۳"


def test_a_password_is_kept_exactly_as_typed():
    valid, data, _ = cleaned(secret=" p\u200bass  ")
    assert valid
    assert data["secret"] == " p\u200bass  "


def test_a_text_field_added_after_the_form_is_made_is_normalised_too():
    form = ProfileForm(data={"name": "علی", "late": "\u200b"})
    form.fields["late"] = forms.CharField()
    assert not form.is_valid()
    assert form.errors.as_data()["late"][0].code == "required"


def test_django_limit_messages_show_persian_digits_on_a_persian_page():
    _, _, errors = cleaned("fa", name="مریم رضایی", age="250")
    ((_, length_message),) = errors["name"]
    ((_, number_message),) = errors["age"]
    assert "۵" in length_message and "5" not in length_message
    assert "۷۰" in number_message and "70" not in number_message


def test_django_limit_messages_keep_latin_digits_in_english():
    _, _, errors = cleaned("en", name="Maryam Rezaei")
    assert errors["name"] == [
        ("max_length", "Ensure this value has at most 5 characters (it has 13).")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["9" * 30, "۱" * 300, "9" * 5000, str(2**63)])
def test_a_choice_of_a_number_larger_than_any_key_is_an_invalid_choice(typed):
    """Found by the fuzzer: the assessment's preferred trades given a 300-digit number made
    the database raise (a 500). It is refused as the choice it is not."""
    from django import forms as django_forms

    from centres.models import Trade
    from hami.forms import HamiFormMixin

    class Pick(HamiFormMixin, django_forms.Form):
        one = django_forms.ModelChoiceField(queryset=Trade.objects.all(), required=False)
        many = django_forms.ModelMultipleChoiceField(queryset=Trade.objects.all(), required=False)

    form = Pick(data={"one": typed, "many": [typed]})
    assert not form.is_valid()
    assert [e.code for e in form.errors.as_data()["one"]] == ["invalid_choice"]
    assert [e.code for e in form.errors.as_data()["many"]] == ["invalid_choice"]
