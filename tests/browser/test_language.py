"""Switch to English once, then follow links: every page stays English, also when the same
pages were already cached in Chinese (the page cache is on, as in production)."""

import pytest
from django.core.cache import cache

from tests.conftest import SEEDS
from tests.importing import run_import


@pytest.fixture
def seeds(transactional_db, settings):
    assert settings.NEWSARCHIVE_PAGE_CACHE_SECONDS > 0  # what this test is about
    cache.clear()
    _, err, failed = run_import(SEEDS)
    assert not failed, err
    yield
    cache.clear()


def assert_english(page, live_server):
    assert page.url.startswith(live_server.url + "/en/"), page.url
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".category-nav a").first.inner_text() == "Home"
    # Every link to the site (menu, lists, breadcrumbs, tags, pages) keeps the language.
    hrefs = page.locator("header a, main a").evaluate_all("links => links.map(a => a.pathname)")
    assert hrefs, page.url
    assert [href for href in hrefs if not href.startswith("/en/")] == [], page.url


def test_english_stays_english_through_every_link_and_the_page_cache(
    live_server, page, screenshot, seeds
):
    # A Chinese reader first, so the Chinese pages of every step are in the cache.
    page.goto(live_server.url + "/")
    page.locator(".article-row a").first.click()
    page.locator(".breadcrumbs a", has_text="新浪财经").first.click()
    assert page.locator("h1").inner_text() == "分类：新浪财经"

    page.goto(live_server.url + "/")
    page.get_by_role("button", name="English").click()
    page.wait_for_url(live_server.url + "/en/")
    assert_english(page, live_server)
    assert page.locator("h1").first.inner_text() == "Latest articles"
    screenshot("1-english-home")

    page.locator(".article-row a").first.click()
    page.wait_for_load_state()
    assert_english(page, live_server)
    assert "Editor" in page.locator(".editor").inner_text()
    assert page.locator("article h1").get_attribute("lang") == "zh-Hans"  # content stays Chinese
    screenshot("2-english-article")

    page.locator(".breadcrumbs a", has_text="新浪财经").first.click()
    page.wait_for_load_state()
    assert_english(page, live_server)
    assert page.locator("h1").inner_text() == "Category: 新浪财经"
    screenshot("3-english-category")

    page.locator("#site-search").fill("景俊海")
    page.locator('form[role="search"] button').click()
    page.wait_for_load_state()
    assert_english(page, live_server)
    assert page.url.startswith(live_server.url + "/en/search/?q=")
    assert page.locator(".search-form button").inner_text() == "Search"
    titles = page.locator("main h2 a, main .article-row a").all_inner_texts()
    assert any("景俊海" in title for title in titles), titles
    screenshot("4-english-search")

    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state()
    assert page.url.startswith(live_server.url + "/search/?q=")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator(".category-nav a").first.inner_text() == "首页"
