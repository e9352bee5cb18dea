"""Guessing at the admin login: django-axes locks a username from one address.

Everything goes through the real admin login form with the test client. The test
settings turn axes off for the rest of the suite (``client.login`` has no request to
give it); every test here turns it back on.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from stories.roles import EDITORS

LOGIN = reverse("admin:login")
PASSWORD = "the-right-password-8472"
ADDRESS = "203.0.113.7"
ELSEWHERE = "198.51.100.23"


@pytest.fixture(autouse=True)
def axes_on(settings):
    settings.AXES_ENABLED = True
    return settings


@pytest.fixture
def users(django_user_model):
    return {
        name: django_user_model.objects.create_user(name, password=PASSWORD, is_staff=True)
        for name in ("editor", "reporter")
    }


def log_in(username, password, address=ADDRESS, client=None, **headers):
    client = client or Client()
    response = client.post(
        LOGIN,
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
        headers=headers,
    )
    return response, client


def logged_in(response):
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def fail_until_locked(username, address=ADDRESS, **headers):
    """Wrong passwords up to the limit: each one but the last gets the login form back."""
    limit = 5
    for attempt in range(1, limit + 1):
        response, _ = log_in(username, f"guess-{attempt}", address, **headers)
        if attempt < limit:
            assert response.status_code == 200, attempt
            assert "Please enter the correct username and password" in response.content.decode()
    return response


def assert_lockout_page(response, username="editor"):
    assert response.status_code == 429
    assert "_auth_user_id" not in response.client.session
    content = response.content.decode()
    assert "Too many failed logins" in content
    assert f"5 failed attempts to log in as <strong>{username}</strong>" in content
    assert "Try again in 15 minutes" in content
    assert "Newsroom desk" in content  # the admin's own header: the admin's look


def test_five_failures_lock_that_user_from_that_address_even_with_the_right_password(users):
    assert_lockout_page(fail_until_locked("editor"))

    response, _ = log_in("editor", PASSWORD)

    assert_lockout_page(response)
    assert not logged_in(response)


def test_a_lockout_leaves_other_users_and_other_addresses_alone(users):
    fail_until_locked("editor")

    assert logged_in(log_in("reporter", PASSWORD)[0])  # another user, same address
    assert logged_in(log_in("editor", PASSWORD, address=ELSEWHERE)[0])  # same user, elsewhere
    assert_lockout_page(log_in("editor", PASSWORD)[0])  # still locked where it was


def test_a_successful_login_clears_earlier_failures(users):
    for attempt in range(4):
        log_in("editor", f"guess-{attempt}")
    assert logged_in(log_in("editor", PASSWORD)[0])
    for attempt in range(4):
        assert log_in("editor", f"guess-again-{attempt}")[0].status_code == 200


def test_axes_reset_username_unlocks(users):
    fail_until_locked("editor")

    call_command("axes_reset_username", "editor", verbosity=0)

    assert logged_in(log_in("editor", PASSWORD)[0])


def test_an_editor_unlocks_a_user_from_the_access_attempts_page(users, django_user_model):
    from axes.models import AccessAttempt

    fail_until_locked("editor")
    chief = django_user_model.objects.create_user("chief", password=PASSWORD, is_staff=True)
    chief.groups.add(Group.objects.get(name=EDITORS))
    desk = Client()
    desk.force_login(chief)
    changelist = reverse("admin:axes_accessattempt_changelist")
    listing = desk.get(changelist, {"locked_out": "yes"})
    assert listing.status_code == 200
    assert ADDRESS in listing.content.decode()
    attempt = AccessAttempt.objects.get(username="editor")

    response = desk.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert logged_in(log_in("editor", PASSWORD)[0])


def test_a_forged_forwarded_for_does_not_dodge_the_lock_when_proxy_headers_are_not_trusted(
    users,
):
    for attempt in range(1, 6):
        response, _ = log_in("editor", f"guess-{attempt}", x_forwarded_for=f"10.0.0.{attempt}")
    assert_lockout_page(response)
    assert_lockout_page(log_in("editor", PASSWORD, x_forwarded_for="10.0.0.99")[0])


def test_behind_a_trusted_proxy_the_address_is_the_one_the_proxy_saw(users, axes_on):
    from axes.models import AccessAttempt

    axes_on.NEWSROOM_TRUST_PROXY_HEADERS = True
    proxy = "127.0.0.1"
    # The proxy appends the address it saw; anything before it came from the client.
    fail_until_locked("editor", proxy, x_forwarded_for=f"10.9.9.9, {ADDRESS}")

    locked, _ = log_in("editor", PASSWORD, proxy, x_forwarded_for=ADDRESS)
    assert_lockout_page(locked)
    assert logged_in(log_in("editor", PASSWORD, proxy, x_forwarded_for=ELSEWHERE)[0])
    assert AccessAttempt.objects.get(username="editor").ip_address == ADDRESS
