"""Passwords: at least 12 characters, not common, not only digits, not like the user's name."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.factories import UserFactory


@pytest.fixture
def teacher(db):
    return UserFactory(username="opettaja", first_name="Liisa", last_name="Laaksonen")


@pytest.mark.parametrize("password", [
    "Salasana1",  # eleven characters
    "password1234",  # common
    "123456789012",  # digits only
    "liisalaaksonen",  # the user's name
])
def test_weak_passwords_are_refused(teacher, password):
    with pytest.raises(ValidationError):
        validate_password(password, teacher)


def test_a_long_uncommon_password_is_accepted(teacher):
    validate_password("kolme kesäistä päivää", teacher)


def test_the_demo_logins_passwords_would_pass_too():
    for username in ("admin", "rehtori", "tutor", "kuopio-admin"):
        validate_password(f"vastuu-{username}")
