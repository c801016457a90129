import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import assume, given
from hypothesis import strategies as st

from hami.text import to_persian_digits
from hami.validators import national_code_check_digit, validate_mobile, validate_national_code

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def check_digit(first_nine: str) -> int:
    """The rule as the brief states it, written out again so the test does not trust
    the code under test."""
    s = sum(int(first_nine[i]) * (10 - i) for i in range(9))
    r = s % 11
    return r if r < 2 else 11 - r


@st.composite
def national_codes(draw):
    first_nine = draw(st.text(alphabet="0123456789", min_size=9, max_size=9))
    code = first_nine + str(check_digit(first_nine))
    assume(len(set(code)) > 1)
    return code


def refusal_code(value):
    with pytest.raises(ValidationError) as refused:
        validate_national_code(value)
    return refused.value.code


@pytest.mark.parametrize("code", ["0013542419", "0499370899", "0067749828"])
def test_known_valid_national_codes_are_accepted(code):
    assert validate_national_code(code) == code


@given(national_codes())
def test_every_code_with_the_right_check_digit_is_accepted(code):
    assert validate_national_code(code) == code


@given(national_codes())
def test_codes_in_persian_or_arabic_digits_are_accepted_as_latin(code):
    assert validate_national_code(to_persian_digits(code)) == code
    assert validate_national_code(code.translate(ARABIC_INDIC)) == code


@given(national_codes())
def test_spaces_and_dashes_between_digits_are_dropped(code):
    assert validate_national_code(f" {code[:3]}-{code[3:9]}-{code[9]} ") == code
    assert validate_national_code(f"{code[:3]} {code[3:9]} {code[9]}") == code


@given(national_codes(), st.integers(min_value=1, max_value=9))
def test_a_wrong_check_digit_is_refused(code, shift):
    wrong = code[:9] + str((int(code[9]) + shift) % 10)
    assume(len(set(wrong)) > 1)
    assert refusal_code(wrong) == "national_code_checksum"


@given(st.sampled_from("0123456789"))
def test_one_digit_repeated_is_refused_even_though_its_checksum_passes(digit):
    assert refusal_code(digit * 10) == "national_code_repeated"


@given(st.text(alphabet="0123456789", max_size=20).filter(lambda s: len(s) != 10))
def test_wrong_lengths_are_refused(digits):
    assert refusal_code(digits) == "national_code_length"


def test_the_helper_agrees_with_the_stated_rule():
    for first_nine in ["001354241", "049937089", "123456789", "000000001", "999999998"]:
        assert national_code_check_digit(first_nine) == check_digit(first_nine)


@pytest.mark.parametrize("value", ["00135424a9", "0013542419x", "۰۰۱۳۵۴۲۴۱X", "+013542419"])
def test_letters_and_symbols_are_refused(value):
    assert refusal_code(value) == "national_code_not_digits"


def test_national_code_messages_say_what_is_wrong():
    with translation.override("en"):
        with pytest.raises(ValidationError) as short:
            validate_national_code("12345678")
        assert short.value.messages == [
            "A national code has 10 digits, including any zeros at the start; "
            "this one has 8 digits."
        ]
        with pytest.raises(ValidationError) as checksum:
            validate_national_code("0013542418")
        assert "last digit does not match" in checksum.value.messages[0]


def test_none_is_refused_as_too_short():
    assert refusal_code(None) == "national_code_length"


@pytest.mark.parametrize(
    "value",
    [
        "09121234567",
        "۰۹۱۲۱۲۳۴۵۶۷",
        "٠٩١٢١٢٣٤٥٦٧",
        "0912 123 4567",
        "0912-123-4567",
        "+989121234567",
        "+98 912 123 4567",
        "+98 (912) 123-4567",
        "00989121234567",
        "989121234567",
        "9121234567",
        "+98 0912 123 4567",
        " 09121234567 ",
    ],
)
def test_mobile_numbers_are_normalised_to_09_and_nine_digits(value):
    assert validate_mobile(value) == "09121234567"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("0912123456", "mobile_length"),
        ("091212345678", "mobile_length"),
        ("", "mobile_length"),
        ("02188776655", "mobile_prefix"),
        ("0044 7911 123456", "mobile_prefix"),
        ("+44 7911 123456", "mobile_not_digits"),
        ("0912abc4567", "mobile_not_digits"),
        ("+1 555 0100", "mobile_not_digits"),
    ],
)
def test_mobile_numbers_that_cannot_be_are_refused_with_the_reason(value, code):
    with pytest.raises(ValidationError) as refused:
        validate_mobile(value)
    assert refused.value.code == code


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_every_09_number_is_a_mobile_whichever_way_it_is_written(rest):
    mobile = "09" + rest
    for written in [mobile, "+989" + rest, "00989" + rest, "989" + rest, "9" + rest]:
        assert validate_mobile(written) == mobile
