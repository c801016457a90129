"""The client pages as centre staff use them: register, find, open, act."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from clients.models import Client, Enrolment, EnrolmentTransition, State
from hami.text import to_persian_digits

from ..factories import ClientFactory, CourseFactory, EnrolmentFactory, national_code


def registration(**overrides):
    data = {
        "id_type": "national_code",
        "id_number": national_code(42),
        "welfare_file_number": "1403-5521",
        "first_name": "علي",  # Arabic yeh: stored with Persian ی
        "last_name": "  كريمي  ",
        "father_name": "حسن",
        "gender": "female",
        "birth_date": "1370/06/31",
        "mobile": "۰۹۱۲۳۴۵۶۷۸۹",
        "province": "",
        "city": "تهران",
        "address": "",
        "category": "physical",
        "education": "diploma",
        "consent": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def post_registration(login, staff, centre):
    client = login(staff)

    def _post(**overrides):
        data = registration(province=centre.province_id, **overrides)
        return client.post(reverse("clients:create"), data)

    return _post


@pytest.mark.django_db
def test_staff_register_a_client_with_a_jalali_birth_date_and_persian_digits(
    post_registration, centre
):
    with scopes_disabled():
        response = post_registration(id_number=to_persian_digits(national_code(42)))
        client = Client.objects.get()
        assert response.status_code == 302
        assert response.url == reverse("clients:detail", args=[client.pk])
        assert client.id_number == national_code(42)
        assert client.birth_date == date(1991, 9, 22)
        assert client.mobile == "09123456789"
        assert (client.first_name, client.last_name) == ("علی", "کریمی")
        assert client.centre == centre
        enrolment = Enrolment.objects.get(client=client)
        assert enrolment.state == State.INTAKE
        assert EnrolmentTransition.objects.filter(enrolment=enrolment, action="register").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("id_number", "1234567890", "national_code_checksum"),
        ("id_number", "1111111111", "national_code_repeated"),
        ("id_number", "12345", "national_code_length"),
        ("id_number", "12345abcde", "national_code_not_digits"),
        ("birth_date", "1420/01/01", "future"),
        ("birth_date", "1480/01/01", "max_date"),
        ("birth_date", "1400/01/01", "age"),
        ("birth_date", "1402/12/30", "not_leap_year"),
        ("birth_date", "1403/13/01", "invalid_month"),
        ("birth_date", "31/06/1370", "year_last"),
        ("mobile", "0912", "mobile_length"),
        ("mobile", "02112345678", "mobile_prefix"),
        ("consent", None, "required"),
    ],
)
def test_bad_registration_says_why_and_saves_nothing(login, staff, centre, field, value, code):
    with scopes_disabled():
        data = registration(province=centre.province_id, **{field: value})
        if value is None:
            del data[field]
        response = login(staff).post(reverse("clients:create"), data)
        assert response.status_code == 200
        errors = response.context["form"].errors.as_data()[field]
        assert [e.code for e in errors] == [code]
        assert str(response.context["form"].errors[field][0]) in response.content.decode()
        assert not Client.objects.exists()
        assert not Enrolment.objects.exists()


@pytest.mark.django_db
def test_a_national_code_registered_at_this_centre_is_refused_with_the_clients_name(
    post_registration, centre
):
    with scopes_disabled():
        ClientFactory(
            centre=centre, id_number=national_code(42), first_name="مریم", last_name="صالحی"
        )
        response = post_registration()
        assert "مریم صالحی" in str(response.context["form"].errors["id_number"])
        assert Client.objects.count() == 1


@pytest.mark.django_db
def test_a_national_code_registered_at_another_centre_is_refused_without_its_details(
    post_registration, other_centre
):
    with scopes_disabled():
        ClientFactory(
            centre=other_centre, id_number=national_code(42), first_name="مریم", last_name="صالحی"
        )
        response = post_registration()
        errors = str(response.context["form"].errors["id_number"])
        assert "صالحی" not in errors
        assert other_centre.name not in response.content.decode()
        assert Client.objects.count() == 1


@pytest.mark.django_db
def test_list_search_finds_by_name_with_arabic_letters_and_by_code_in_persian_digits(
    login, staff, centre
):
    karimi = ClientFactory(centre=centre, last_name="کریمی", id_number=national_code(7))
    ClientFactory(centre=centre, last_name="رضایی")
    client = login(staff)
    found = client.get(reverse("clients:list"), {"q": "كريمي"}).context["page"].object_list
    assert [c.pk for c in found] == [karimi.pk]
    found = (
        client.get(reverse("clients:list"), {"q": to_persian_digits(national_code(7))})
        .context["page"]
        .object_list
    )
    assert [c.pk for c in found] == [karimi.pk]


@pytest.mark.django_db
def test_list_filters_by_status_and_course(login, staff, centre):
    course = CourseFactory(centre=centre)
    trainee = EnrolmentFactory(
        client=ClientFactory(centre=centre), state=State.TRAINING, course=course
    )
    EnrolmentFactory(client=ClientFactory(centre=centre), state=State.INTAKE)
    client = login(staff)
    by_state = (
        client.get(reverse("clients:list"), {"state": "training"}).context["page"].object_list
    )
    assert [c.pk for c in by_state] == [trainee.client_id]
    by_course = (
        client.get(reverse("clients:list"), {"course": course.pk}).context["page"].object_list
    )
    assert [c.pk for c in by_course] == [trainee.client_id]


@pytest.mark.django_db
def test_staff_see_only_their_centres_clients_in_the_list(login, staff, centre, other_centre):
    mine = ClientFactory(centre=centre)
    ClientFactory(centre=other_centre)
    listed = login(staff).get(reverse("clients:list")).context["page"].object_list
    assert [c.pk for c in listed] == [mine.pk]


@pytest.mark.django_db
def test_national_office_lists_every_centres_clients_but_cannot_register(
    login, national, centre, other_centre
):
    ClientFactory(centre=centre)
    ClientFactory(centre=other_centre)
    client = login(national)
    assert client.get(reverse("clients:list")).context["page"].count == 2
    assert client.get(reverse("clients:create")).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [10, 100])
def test_client_list_query_count_does_not_grow_with_rows(
    login, staff, centre, django_assert_num_queries, rows
):
    course = CourseFactory(centre=centre)
    for _ in range(rows):
        EnrolmentFactory(client=ClientFactory(centre=centre), state=State.TRAINING, course=course)
    client = login(staff)
    client.get(reverse("clients:list"))  # warm the session and caches
    with django_assert_num_queries(QUERIES_ON_CLIENT_LIST):
        response = client.get(reverse("clients:list"), {"page": 1})
    assert len(response.context["page"].object_list) == min(rows, 25)


# Session, user, membership (+ centre), the page's count and rows, the course and centre
# filter choices, the navbar's follow-up count. Pinned so that a query per row shows up
# as a failure.
QUERIES_ON_CLIENT_LIST = 9


@pytest.mark.django_db
def test_detail_shows_the_journey_and_only_the_allowed_next_steps(login, staff, centre):
    enrolment = EnrolmentFactory(client=ClientFactory(centre=centre), state=State.ASSESSED)
    page = login(staff).get(reverse("clients:detail", args=[enrolment.client_id])).content.decode()
    assert reverse("clients:start_training", args=[enrolment.pk]) in page
    assert reverse("clients:finish_training", args=[enrolment.pk]) not in page
    assert reverse("clients:confirm_seat", args=[enrolment.pk]) not in page


@pytest.mark.django_db
def test_national_office_reads_a_client_but_sees_no_action_buttons(login, national, centre):
    enrolment = EnrolmentFactory(client=ClientFactory(centre=centre), state=State.ASSESSED)
    page = (
        login(national).get(reverse("clients:detail", args=[enrolment.client_id])).content.decode()
    )
    assert reverse("clients:start_training", args=[enrolment.pk]) not in page
    assert (
        login(national).get(reverse("clients:start_training", args=[enrolment.pk])).status_code
        == 403
    )


@pytest.mark.django_db
def test_typing_in_the_search_box_refreshes_only_the_results(login, staff, centre):
    ClientFactory(centre=centre, last_name="کریمی")
    ClientFactory(centre=centre, last_name="رضایی")
    response = login(staff).get(reverse("clients:list"), {"q": "کریمی"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="client-results">')
    assert "کریمی" in html
    assert "رضایی" not in html
    assert "<nav" not in html  # no navbar: just the results


@pytest.mark.django_db
def test_the_seats_page_counts_trainees_free_seats_and_the_line(login, staff, centre):
    centre.training_capacity = 2
    centre.save()
    course = CourseFactory(centre=centre)
    for _ in range(2):
        EnrolmentFactory(client=ClientFactory(centre=centre), state=State.TRAINING, course=course)
    waiting = EnrolmentFactory(
        client=ClientFactory(centre=centre, last_name="منتظری"),
        state=State.WAITING,
        course=course,
        waiting_since=timezone.now(),
    )
    response = login(staff).get(reverse("clients:seats", args=[centre.pk]))
    worklist = response.context["worklist"]
    assert (worklist.in_training, worklist.seats_free, len(worklist.waiting)) == (2, 0, 1)
    assert waiting.client.full_name in response.content.decode()
    assert (
        reverse("clients:seats", args=[centre.pk])
        in login(staff).get(reverse("centres:detail", args=[centre.pk])).content.decode()
    )


# Hostile and careless input on the registration form: a message, nothing saved.


def refused(response, field):
    """The error codes on `field` of the form the page shows again."""
    assert response.status_code == 200
    return [error.code for error in response.context["form"].errors.as_data()[field]]


def nothing_saved():
    with scopes_disabled():
        return not Client.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["first_name", "last_name", "city"])
@pytest.mark.parametrize("invisible", ["\u200b\u200b", "\u200c", "\ufeff", "\u200b \u200c\ufeff"])
def test_a_name_or_city_of_only_invisible_characters_is_refused_as_empty(
    post_registration, field, invisible
):
    response = post_registration(**{field: invisible})
    assert refused(response, field) == ["required"]
    assert nothing_saved()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["first_name", "last_name", "father_name", "city", "address"])
@pytest.mark.parametrize("control", ["\x01", "\x07", "\x1b", "\x7f", "\x9b"])
def test_control_characters_in_the_clients_text_are_refused(post_registration, field, control):
    response = post_registration(**{field: f"زهرا{control}ی"})
    assert refused(response, field) == ["control_character"]
    assert nothing_saved()


@pytest.mark.django_db
def test_the_address_keeps_its_lines_and_a_name_its_zwnj(post_registration):
    post_registration(first_name="مه\u200cلقا", address="خیابان آزادی، کوچه ۱۲\r\nپلاک ۳، طبقه دوم")
    with scopes_disabled():
        client = Client.objects.get()
    assert client.first_name == "مه\u200cلقا"
    assert client.address == "خیابان آزادی، کوچه ۱۲\nپلاک ۳، طبقه دوم"


@pytest.mark.django_db
def test_the_database_refuses_a_client_without_a_name(centre):
    client = ClientFactory.build(centre=centre, created_by=ClientFactory().created_by)
    client.first_name = ""
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        client.save()


@pytest.mark.django_db
def test_the_age_message_shows_persian_digits(post_registration):
    response = post_registration(birth_date="1400/01/01")
    (message,) = response.context["form"].errors["birth_date"]
    assert "۱۵" in message and "۷۰" in message
    assert not any(digit in message for digit in "0123456789")


# The welfare file number: one client per number, whatever the letter case or digits.


@pytest.mark.django_db
def test_the_welfare_file_number_is_stored_in_capitals_latin_digits_and_without_spaces(
    post_registration,
):
    post_registration(welfare_file_number=" isf-01-۰۰۰۸۱ ")
    with scopes_disabled():
        assert Client.objects.get().welfare_file_number == "ISF-01-00081"


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["isf-01-00081", "ISF-01-۰۰۰۸۱", "Isf-01-00081 "])
def test_a_welfare_file_number_in_other_letter_case_or_digits_is_a_duplicate(
    post_registration, centre, typed
):
    ClientFactory(centre=centre, welfare_file_number="ISF-01-00081")
    response = post_registration(welfare_file_number=typed)
    assert response.status_code == 200
    assert response.context["form"].errors["welfare_file_number"]
    with scopes_disabled():
        assert Client.objects.count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_welfare_file_number_not_in_capitals(centre):
    ClientFactory(centre=centre, welfare_file_number="ISF-01-00081")
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        Client.objects.filter(welfare_file_number="ISF-01-00081").update(
            welfare_file_number="isf-01-00081"
        )


@pytest.mark.django_db
def test_search_finds_a_file_number_typed_in_small_letters(login, staff, centre):
    wanted = ClientFactory(centre=centre, welfare_file_number="ISF-01-00081")
    response = login(staff).get(reverse("clients:list"), {"q": "isf-01-۰۰۰۸۱"})
    assert [c.pk for c in response.context["page"].object_list] == [wanted.pk]


# A residence card number is not a national code in disguise.


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["0013542418", "۰۰۱۳۵۴۲۴۱۸", "001-354241-8"])
def test_a_ten_digit_number_is_refused_as_a_residence_card(post_registration, number):
    response = post_registration(id_type="residence_card", id_number=number)
    assert refused(response, "id_number") == ["residence_card_is_national_code"]
    assert nothing_saved()


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["12345", "123456789", "12345678901", "1" * 20])
def test_residence_cards_of_other_lengths_are_registered(post_registration, number):
    assert post_registration(id_type="residence_card", id_number=number).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["0013542418", "1234", "12a45678901"])
def test_the_database_refuses_a_residence_card_a_form_would_refuse(centre, number):
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        ClientFactory(centre=centre, id_type="residence_card", id_number=number)


# Search.


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_a_search_of_a_thousand_words_is_refused_with_a_message(login, staff, centre, htmx):
    ClientFactory(centre=centre, last_name="کریمی")
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    query = " ".join(f"واژه{n}" for n in range(1000))[:190]  # short enough, too many words
    for q in (query, " ".join(["کریمی"] * 1000)):
        response = login(staff).get(reverse("clients:list"), {"q": q}, **headers)
        assert response.status_code == 200
        html = response.content.decode()
        assert "<table" not in html  # no rows: the message says what to change
        assert 'role="alert"' in html
        assert "۱۰" in html  # at most 10 words, said in Persian digits


@pytest.mark.django_db
def test_a_search_of_ten_words_still_searches(login, staff, centre):
    karimi = ClientFactory(centre=centre, first_name="زهرا", last_name="کریمی")
    response = login(staff).get(reverse("clients:list"), {"q": " ".join(["کریمی"] * 10)})
    assert [c.pk for c in response.context["page"].object_list] == [karimi.pk]


@pytest.mark.django_db
def test_the_query_itself_takes_only_the_first_words(centre):
    karimi = ClientFactory(centre=centre, last_name="کریمی")
    with scopes_disabled():
        found = Client.objects.search(" ".join(["کریمی"] * 5000))
        assert list(found) == [karimi]


# Sorting the list.


def sort_labels(response):
    return [str(label) for _, label in response.context["filter"].form.fields["sort"].choices]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_sort_list_names_each_order_once_in_the_pages_language(login, staff, language):
    staff.language = language
    staff.save()
    labels = sort_labels(login(staff).get(reverse("clients:list")))
    assert len(labels) == len(set(labels))
    assert len([label for label in labels if "Name" in label or "نام" in label]) == 2
    persian = any("\u0600" <= char <= "\u06ff" for label in labels for char in label)
    assert persian == (language == "fa")


@pytest.mark.django_db
def test_the_english_sort_list_after_a_persian_page_is_still_english(login, staff):
    client = login(staff)
    client.get(reverse("clients:list"))  # Persian first
    staff.language = "en"
    staff.save()
    labels = sort_labels(client.get(reverse("clients:list")))
    assert "Name, Z to A" in labels
    assert not any("نزولی" in label for label in labels)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sort", "expected"),
    [("name", ["الف", "ب", "پ"]), ("-name", ["پ", "ب", "الف"]), ("", ["الف", "ب", "پ"])],
)
def test_the_list_is_sorted_by_the_chosen_order(login, staff, centre, sort, expected):
    for last_name in ("ب", "پ", "الف"):
        ClientFactory(centre=centre, last_name=last_name)
    response = login(staff).get(reverse("clients:list"), {"sort": sort})
    assert [c.last_name for c in response.context["page"].object_list] == expected


# htmx.


@pytest.mark.django_db
def test_a_history_restore_gets_the_whole_page(login, staff, centre):
    ClientFactory(centre=centre, last_name="کریمی")
    response = login(staff).get(
        reverse("clients:list"),
        {"q": "کریمی"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    html = response.content.decode()
    assert html.lstrip().startswith("<!doctype html>")
    assert "<nav" in html and "کریمی" in html


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_the_client_list_tells_caches_it_varies_on_htmx(login, staff, htmx):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = login(staff).get(reverse("clients:list"), **headers)
    vary = {header.strip().lower() for header in response["Vary"].split(",")}
    assert {"hx-request", "hx-history-restore-request"} <= vary


@pytest.mark.django_db
def test_the_registration_form_has_no_untranslated_blank_choice(login, staff):
    html = login(staff).get(reverse("clients:create")).content.decode()
    assert "---------" not in html


@pytest.mark.django_db
def test_the_welfare_file_number_can_be_typed_with_letters_on_a_phone(login, staff):
    form = login(staff).get(reverse("clients:create")).context["form"]
    assert "inputmode" not in str(form["welfare_file_number"])
