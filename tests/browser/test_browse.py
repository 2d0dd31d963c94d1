"""A reader's walk through the archive in a real browser, with screenshots kept in
tests/artifacts/ (git-ignored) for a human to look at."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from tests.factories import category_chain, make_article

START = datetime(2022, 4, 7, 1, 0, tzinfo=UTC)
BODY = (
    "<p>四月七日，省委书记景俊海到吉林市实地检查指导疫情防控工作。</p>"
    "<p>他强调，要坚持快、准、严、细、实，一鼓作气实现疫情防控目标。</p>"
)


@pytest.fixture
def archive(transactional_db, settings):
    settings.NEWSARCHIVE_PAGE_SIZE = 5
    cache.clear()
    leaf = category_chain("金融", "新浪财经", "新浪财经－国內")
    chain = [leaf.parent.parent, leaf.parent, leaf]
    articles = [
        make_article(
            f"吉林疫情防控第{n}报",
            slug=f"吉林疫情防控第{n}报",
            categories=chain,
            tags=["疫情", "吉林"] if n % 2 else ["疫情"],
            author="新浪财经",
            editor="王珊珊",
            source="吉林省人民政府网",
            body_html=BODY,
            published_at=START + timedelta(hours=n),
        )
        for n in range(12)
    ]
    yield articles
    cache.clear()


def test_reader_browses_home_article_category_tag_archive_and_switches_language(
    live_server, page, screenshot, archive
):
    page.goto(live_server.url + "/")
    assert page.locator("h1").first.inner_text() == "最新文章"
    assert page.locator(".article-row").count() == 5
    screenshot("1-home")

    page.get_by_role("link", name="吉林疫情防控第11报").first.click()
    page.wait_for_url("**/2022/04/07/**")
    assert page.locator("article h1").inner_text() == "吉林疫情防控第11报"
    assert "王珊珊" in page.locator(".editor").inner_text()
    indent = page.locator(".article-body p").first.evaluate("p => getComputedStyle(p).textIndent")
    font = page.locator(".article-body p").first.evaluate("p => getComputedStyle(p).fontSize")
    assert float(indent.removesuffix("px")) == pytest.approx(2 * float(font.removesuffix("px")))
    screenshot("2-article")

    page.locator(".breadcrumbs a", has_text="新浪财经").first.click()
    assert page.locator("h1").inner_text() == "分类：新浪财经"
    assert page.locator(".subcategories").inner_text().count("12") == 1
    screenshot("3-category")

    page.goto(live_server.url + archive[11].get_absolute_url())
    page.locator(".tags a", has_text="吉林").click()
    assert page.locator("h1").inner_text() == "标签：吉林"
    assert page.locator(".article-row").count() == 5  # 6 articles, page size 5
    screenshot("4-tag")

    page.goto(live_server.url + "/2022/")
    page.locator(".pagination a", has_text="2").first.click()
    assert page.locator(".pagination .current").inner_text() == "2"
    assert page.locator(".article-row").count() == 5
    screenshot("5-archive-page-2")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".pagination .current").inner_text() == "2"  # back on the same page
    assert page.locator("h1").inner_text() == "2022"
    page.get_by_role("link", name="Home").click()
    assert page.locator("h1").first.inner_text() == "Latest articles"
    screenshot("6-english-home")
    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state()
    assert page.locator("h1").first.inner_text() == "最新文章"


def test_phone_layout_has_no_horizontal_scroll(live_server, page, screenshot, archive):
    page.set_viewport_size({"width": 375, "height": 740})
    for path in ("/", archive[3].get_absolute_url()):
        page.goto(live_server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    screenshot("phone-article")


def test_missing_page_is_styled(live_server, page, screenshot, transactional_db):
    response = page.goto(live_server.url + "/2022/04/07/没有这篇/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "找不到这个页面"
    colour = page.locator(".site-header").evaluate("h => getComputedStyle(h).borderBottomColor")
    assert colour == "rgb(179, 38, 30)"  # the stylesheet loaded
    screenshot("404")
