import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_staff_log_in_and_land_on_their_centre_home(client, staff, centre, password):
    response = client.post(reverse("login"), {"username": "staff.a", "password": password})
    assert response.status_code == 302
    response = client.get(response.url)
    assert response.status_code == 302
    assert response.url == reverse("dashboard:centre_home")


@pytest.mark.django_db
def test_wrong_password_says_so_and_logs_nobody_in(client, staff):
    response = client.post(reverse("login"), {"username": "staff.a", "password": "wrong"})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert "alert" in response.content.decode()


@pytest.mark.django_db
def test_five_failed_logins_lock_the_account_with_a_clear_message(client, staff, password):
    for _ in range(4):
        response = client.post(reverse("login"), {"username": "staff.a", "password": "wrong"})
        assert response.status_code == 200
    response = client.post(reverse("login"), {"username": "staff.a", "password": "wrong"})
    assert response.status_code == 429
    # Even the right password is refused while the lock lasts.
    response = client.post(reverse("login"), {"username": "staff.a", "password": password})
    assert response.status_code == 429
    assert "۱۵" in response.content.decode()  # "try again in 15 minutes", in Persian digits


@pytest.mark.django_db
def test_logging_out_takes_a_post_and_returns_to_login(login, staff):
    client = login(staff)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_national_office_logs_in_to_the_national_dashboard(client, national, password):
    response = client.post(reverse("login"), {"username": "national", "password": password})
    assert client.get(response.url).url == reverse("dashboard:national")


@pytest.mark.django_db
def test_a_username_longer_than_any_is_refused_before_it_is_tried(client, staff):
    """Found by the fuzzer on PostgreSQL: a 300-letter username reached django-axes, whose
    record of the failed attempt holds 255 characters, and the page failed (500)."""
    from axes.models import AccessAttempt

    response = client.post(reverse("login"), {"username": "ا" * 300, "password": "x"})
    assert response.status_code == 200
    assert "alert" in response.content.decode()
    assert not AccessAttempt.objects.exists()  # never tried, so nothing to record
