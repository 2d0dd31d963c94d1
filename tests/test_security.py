"""Deployment checks, the Content-Security-Policy, admin login throttling and Argon2."""

import os
import subprocess
import sys

import pytest
from django.urls import reverse

from .conftest import ROOT, SEEDS
from .importing import run_import
from .security_helpers import parse_page

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k7#Qz!v2-production-like-secret-key-with-enough-entropy-9fA3xLm0pW",
    "ALLOWED_HOSTS": "news.example.com",
}


# Not a production environment's: the browser tests set the last one for Playwright's loop.
NOT_IN_PRODUCTION = {"DEBUG", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def test_deploy_check_passes_with_production_settings(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k not in NOT_IN_PRODUCTION}
    environment.update(PRODUCTION, STATIC_ROOT=str(tmp_path / "static"))
    # As `make serve` does: the deploy check also wants the static files collected.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=environment,
        check=True,
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_deploy_check_fails_when_hardening_is_switched_off():
    # The check can fail: without the SSL redirect it must say so (security.W008).
    environment = {**os.environ, **PRODUCTION, "SECURE_SSL_REDIRECT": "0"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.fixture
def imported(db):
    _, err, failed = run_import(SEEDS)
    assert not failed, err
    from articles.models import Article

    return Article.objects.order_by("pk").first()


def public_urls(article):
    return [
        reverse("articles:home"),
        article.get_absolute_url(),
        article.categories.first().get_absolute_url(),
        reverse("articles:search") + "?q=吉林",
        reverse("articles:feed_rss"),
        "/no-such-page/",
    ]


def test_public_pages_send_a_strict_policy(client, imported):
    for url in public_urls(imported):
        response = client.get(url)
        policy = directives(response)
        assert policy["script-src"] == ["'self'"], url
        assert policy["style-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert set(policy["img-src"]) >= {"https:", "http:", "data:"}  # hot-linked images


def test_public_pages_need_no_inline_script_or_style(client, imported):
    # What the strict policy would block must not be there in the first place.
    for url in public_urls(imported)[:4]:
        for element in parse_page(client.get(url).content.decode()).iter():
            name = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
            assert name != "style", url
            assert not (name == "script" and not element.get("src")), url
            assert "style" not in element.attrib, (url, name)
            assert not any(k.startswith("on") for k in element.attrib), (url, name)


def test_admin_keeps_no_inline_script_but_allows_inline_styles(admin_client, imported):
    urls = [
        reverse("admin:index"),
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_change", args=[imported.pk]),
        reverse("admin:articles_article_add"),
    ]
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        policy = directives(response)
        assert "'unsafe-inline'" not in policy["script-src"], url
        assert "'unsafe-inline'" in policy["style-src"], url
        nonce = [v for v in policy["script-src"] if v.startswith("'nonce-")]
        for element in parse_page(response.content.decode()).iter():
            name = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
            if name == "script" and not element.get("src"):
                # Data blocks are never run; anything else needs the page's nonce.
                data = element.get("type") in {"application/json", "importmap"}
                assert data or f"'nonce-{element.get('nonce')}'" in nonce, url


def test_admin_login_page_works_and_logs_in(client, superuser):
    login = reverse("admin:login")
    assert client.get(login).status_code == 200
    response = client.post(login, {"username": "boss", "password": "pw-boss-123"})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_login_is_locked_after_five_failures(client, superuser, settings):
    login = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(login, {"username": "boss", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
    # The fifth failure locks the username for this address.
    assert client.post(login, {"username": "boss", "password": "wrong"}).status_code == 429
    # Now even the right password is refused: guessing cannot go on.
    response = client.post(login, {"username": "boss", "password": "pw-boss-123"})
    assert response.status_code == 429
    assert client.get(reverse("admin:index")).status_code == 302
    # Another user from the same address is not locked out with the guessed one.
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("ed", "ed@example.com", "pw-ed-123456")
    response = client.post(login, {"username": "ed", "password": "pw-ed-123456"})
    assert response.status_code == 302


def test_force_login_still_works(admin_client):
    assert admin_client.get(reverse("admin:index")).status_code == 200


def test_passwords_are_hashed_with_argon2(superuser):
    assert superuser.password.startswith("argon2$argon2id$")
    assert superuser.check_password("pw-boss-123")
