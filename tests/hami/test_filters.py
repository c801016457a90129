from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext


def render(source, language, **context):
    with translation.override(language):
        return Template(source).render(Context(context))


def test_filters_need_no_load_tag():
    assert render("{{ d|jdate }}", "en", d=date(2024, 8, 3)) == "2024-08-03"


def test_jdate_shows_jalali_with_persian_digits_in_persian():
    assert render("{{ d|jdate }}", "fa", d=date(2024, 8, 3)) == "۱۴۰۳/۰۵/۱۳"


def test_jdate_shows_iso_in_english():
    assert render("{{ d|jdate }}", "en", d=date(2025, 3, 20)) == "2025-03-20"


def test_jdate_shows_datetimes_on_their_tehran_calendar_day():
    # 22:00 UTC on 3 August is 01:30 on 4 August in Tehran.
    at = datetime(2024, 8, 3, 22, 0, tzinfo=UTC)
    assert render("{{ at|jdate }}", "fa", at=at) == "۱۴۰۳/۰۵/۱۴"
    assert render("{{ at|jdate }}", "en", at=at) == "2024-08-04"


def test_jdate_datetime_adds_the_local_time():
    at = datetime(2024, 8, 3, 10, 5, tzinfo=UTC)  # 13:35 in Tehran
    assert render('{{ at|jdate:"datetime" }}', "fa", at=at) == "۱۴۰۳/۰۵/۱۳ ۱۳:۳۵"
    assert render('{{ at|jdate:"datetime" }}', "en", at=at) == "2024-08-03 13:35"


def test_jdate_datetime_on_a_plain_date_shows_the_date_only():
    assert render('{{ d|jdate:"datetime" }}', "en", d=date(2024, 8, 3)) == "2024-08-03"


def test_jdate_of_nothing_is_empty():
    assert render("[{{ d|jdate }}]", "fa", d=None) == "[]"
    assert render("[{{ missing|jdate }}]", "en") == "[]"


def test_jdate_with_an_unknown_argument_is_a_template_error():
    with pytest.raises(TemplateSyntaxError):
        render('{{ d|jdate:"time" }}', "en", d=date(2024, 8, 3))


def test_money_formats_rials_in_the_display_unit(settings):
    settings.HAMI_MONEY_UNIT = "toman"
    assert render("{{ m|money }}", "en", m=15_000_000) == "1,500,000 toman"
    with translation.override("fa"):
        toman = gettext("toman")
    assert render("{{ m|money }}", "fa", m=15_000_000) == f"۱٬۵۰۰٬۰۰۰ {toman}"


def test_money_takes_the_unit_as_an_argument():
    assert render('{{ m|money:"rial" }}', "en", m=15_000) == "15,000 rial"


def test_money_of_nothing_is_a_dash():
    assert render("{{ m|money }}", "en", m=None) == "—"


def test_money_with_an_unknown_unit_is_a_template_error():
    with pytest.raises(TemplateSyntaxError):
        render('{{ m|money:"dollar" }}', "en", m=1)


def test_digits_become_persian_in_persian_only():
    assert render("{{ n|digits }}", "fa", n="File 1234") == "File ۱۲۳۴"
    assert render("{{ n|digits }}", "fa", n=42) == "۴۲"
    assert render("{{ n|digits }}", "en", n="File 1234") == "File 1234"


def test_digits_of_nothing_is_empty():
    assert render("[{{ n|digits }}]", "fa", n=None) == "[]"


def test_user_input_stays_escaped():
    hostile = '<script>alert("1")</script>'
    for language in ("fa", "en"):
        for source in ("{{ v|digits }}", "{{ v|jdate }}", "{{ v|money }}"):
            assert "<script>" not in render(source, language, v=hostile)
    assert render("{{ v|digits }}", "fa", v=hostile) == (
        "&lt;script&gt;alert(&quot;۱&quot;)&lt;/script&gt;"
    )


def test_digits_on_safe_html_leaves_tags_and_references_alone():
    html = mark_safe('<a href="/clients/12/">Case 12 &#x27;</a>')
    assert render("{{ v|digits }}", "fa", v=html) == '<a href="/clients/12/">Case ۱۲ &#x27;</a>'
