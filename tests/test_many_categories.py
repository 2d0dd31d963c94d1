"""One article filed under 2,100 root categories must not change the cost of any page.

The rows are written straight to the database, past the importer's own limit on what one
file may create: the site must hold even when the data is already there.
"""

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article, Category

from .factories import category_chain, make_article

pytestmark = pytest.mark.django_db

ROOTS = 2100
MAX_QUERIES = 15
# Longer than any query the pages need; a query with a column or an IN item per category
# is 20 to 100 times this.
MAX_SQL_CHARS = 6000


@pytest.fixture
def crowded():
    roots = Category.objects.bulk_create(
        Category(name=f"根{n}", slug=f"根{n}", slug_path=f"根{n}", path=f"根{n}", depth=0)
        for n in range(ROOTS)
    )
    leaf = category_chain("金融", "新浪财经")
    story = make_article(
        "一篇文章", categories=[leaf.parent, leaf], tags=["疫情"], author="新浪财经",
        editor="王珊珊", source="吉林日报",
    )
    make_article("另一篇", slug="another", categories=[leaf.parent])
    Article.categories.through.objects.bulk_create(
        Article.categories.through(article=story, category=root) for root in roots
    )
    return story, leaf


def page_urls(story, leaf):
    return [
        reverse("articles:home"),
        reverse("articles:archive_year", kwargs={"year": 2022}),
        reverse("articles:archive_month", kwargs={"year": 2022, "month": 4}),
        reverse("articles:archive_day", kwargs={"year": 2022, "month": 4, "day": 7}),
        story.get_absolute_url(),
        leaf.parent.get_absolute_url(),
        "/category/根7/",
        reverse("articles:categories"),
        reverse("articles:categories") + "?page=22",
        reverse("articles:tag", kwargs={"slug": "疫情"}),
        story.author.get_absolute_url(),
        story.editor.get_absolute_url(),
        story.source.get_absolute_url(),
        reverse("articles:search") + "?q=文章",
        reverse("articles:feed_rss"),
        reverse("articles:category_feed_atom", kwargs={"path": "根7"}),
        reverse("sitemap"),
        reverse("robots_txt"),
    ]


def fetch(client, url):
    cache.clear()  # cold: every cached count is rebuilt
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    widest = max((len(query["sql"]) for query in queries), default=0)
    return response.status_code, len(queries), widest


def test_every_page_answers_with_bounded_queries(client, crowded):
    for url in page_urls(*crowded):
        status, count, widest = fetch(client, url)
        assert (status, count <= MAX_QUERIES, widest <= MAX_SQL_CHARS) == (200, True, True), (
            url,
            count,
            widest,
        )
    missing = ("/no-such-page/", "/category/根99999/", reverse("articles:categories") + "?page=23")
    for url in missing:
        assert fetch(client, url)[0] == 404, url


def test_menu_shows_the_biggest_roots_and_links_the_index(client, settings, crowded):
    settings.NEWSARCHIVE_NAV_CATEGORIES = 5
    soup = BeautifulSoup(client.get("/no-such-page/").text, "html.parser")
    menu = [a.text for a in soup.select(".category-nav a")]
    # 金融 has both articles; the 2,100 roots one each, in path order after it.
    assert menu == ["首页", "金融", "根0", "根1", "根10", "根100", "全部分类"]
    index = BeautifulSoup(client.get(reverse("articles:categories")).text, "html.parser")
    listed = index.select(".category-index li")
    assert len(listed) == settings.NEWSARCHIVE_CATEGORY_INDEX_SIZE
    assert listed[0].a.text == "根0" and listed[0].select_one(".count").text == "1"
    total = int(index.select(".pagination li a")[-2].text)
    assert total == -(-(ROOTS + 1) // settings.NEWSARCHIVE_CATEGORY_INDEX_SIZE)
