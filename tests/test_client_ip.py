"""The login lockout keys on the real client: behind a trusted proxy its X-Forwarded-For,
from anyone else the connection's own address, whatever header it forges."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"
GUESSER, EDITOR = "203.0.113.66", "198.51.100.7"


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_superuser("ed", "ed@example.com", "pw-ed-123456")


def login(client, password, remote=PROXY, forwarded=None):
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    data = {"username": "ed", "password": password}
    return client.post(reverse("admin:login"), data, REMOTE_ADDR=remote, headers=headers)


def test_behind_a_trusted_proxy_a_guesser_does_not_lock_the_editor_out(
    client, settings, editor
):
    settings.NEWSARCHIVE_TRUSTED_PROXIES = [PROXY]
    statuses = [
        login(client, "wrong", forwarded=GUESSER).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT + 1)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429, 429]
    assert login(client, "pw-ed-123456", forwarded=GUESSER).status_code == 429
    # The editor's own browser, through the same proxy, is another client.
    assert login(client, "pw-ed-123456", forwarded=EDITOR).status_code == 302
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [GUESSER]


def test_a_proxy_that_appends_is_read_from_the_right(client, settings, editor):
    # nginx's $proxy_add_x_forwarded_for keeps what the client sent and appends the peer.
    settings.NEWSARCHIVE_TRUSTED_PROXIES = ["10.0.0.0/8", PROXY]
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(client, "wrong", forwarded=f"192.0.2.{n}, {GUESSER}, 10.1.2.3")
    assert login(client, "pw-ed-123456", forwarded=f"{EDITOR}, 10.1.2.3").status_code == 302
    assert login(client, "pw-ed-123456", forwarded=f"{GUESSER}, 10.1.2.3").status_code == 429


def test_a_direct_client_cannot_forge_its_address(client, settings, editor):
    settings.NEWSARCHIVE_TRUSTED_PROXIES = [PROXY]
    statuses = [
        # A new forged address each time: believed, it would never be locked.
        login(client, "wrong", remote=GUESSER, forwarded=f"192.0.2.{n}").status_code
        for n in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[-1] == 429
    assert login(client, "pw-ed-123456", remote=GUESSER, forwarded=EDITOR).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {GUESSER}
    assert login(client, "pw-ed-123456", remote=EDITOR).status_code == 302


def test_without_trusted_proxies_the_header_is_ignored(client, settings, editor):
    settings.NEWSARCHIVE_TRUSTED_PROXIES = []
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(client, "wrong", remote=GUESSER, forwarded=f"192.0.2.{n}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {GUESSER}
