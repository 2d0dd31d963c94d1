"""Headless Debian Chromium driven by Playwright against pytest-django's live server.

Never downloads a browser: it runs /usr/bin/chromium (scripts/install_chromium.sh installs it)
and fails, rather than skips, when that binary is missing, so CI cannot pass without it.
"""

import os
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API keeps an asyncio loop in the test thread; Django refuses ORM calls
# there unless told the loop is not serving requests (it is not: tests only drive a browser).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.fail(
            f"{CHROMIUM} not found: run scripts/install_chromium.sh (browser tests never skip)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium_browser):
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    # The site must not need the network: any request off 127.0.0.1 (hot-linked Sina images)
    # is answered empty, so tests neither leak nor hang on it.
    context.route(
        lambda url: not url.startswith(("http://localhost", "http://127.0.0.1")),
        lambda route: route.fulfill(status=204, body=""),
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page, request):
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name):
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def editor_cookie(transactional_db, django_user_model, live_server):
    """The session cookie of a logged-in superuser, for page.context.add_cookies()."""
    from django.core.cache import cache
    from django.test import Client

    user = django_user_model.objects.create_superuser("chief", "chief@example.com", "pw-chief-1")
    client = Client()
    client.force_login(user)
    cache.clear()
    yield {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}
    cache.clear()
