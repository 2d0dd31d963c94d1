"""Every page runs the same number of queries whatever the page size."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .factories import category_chain, make_article

pytestmark = pytest.mark.django_db

START = datetime(2022, 4, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def archive():
    """30 articles, each with its own author, editor, source and tags, so a missing
    select_related or prefetch_related would cost one query per row."""
    leaf = category_chain("金融", "新浪财经", "新浪财经－国內")
    chain = [leaf.parent.parent, leaf.parent, leaf]
    articles = [
        make_article(
            f"文章{n}",
            categories=chain,
            tags=[f"标签{n}", "共同"],
            author=f"作者{n}",
            editor=f"编辑{n}",
            source=f"来源{n}",
            published_at=START + timedelta(hours=n),
        )
        for n in range(30)
    ]
    return articles, leaf


def page_urls(articles, leaf):
    first = articles[0]
    return [
        reverse("articles:home"),
        reverse("articles:archive_year", kwargs={"year": 2022}),
        reverse("articles:archive_month", kwargs={"year": 2022, "month": 4}),
        reverse("articles:archive_day", kwargs={"year": 2022, "month": 4, "day": 1}),
        leaf.parent.parent.get_absolute_url(),
        reverse("articles:tag", kwargs={"slug": "共同"}),
        first.author.get_absolute_url(),
        first.editor.get_absolute_url(),
        first.source.get_absolute_url(),
        reverse("articles:feed_rss"),
        reverse("articles:category_feed_atom", kwargs={"path": leaf.slug_path}),
        reverse("sitemap"),
    ]


def count_queries(client, url):
    # Cold cache: the worst case, with every cached count and neighbour list rebuilt.
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("index", range(12))
def test_list_pages_run_a_fixed_number_of_queries(
    client, settings, archive, index, django_assert_max_num_queries
):
    articles, leaf = archive
    url = page_urls(articles, leaf)[index]
    settings.NEWSARCHIVE_PAGE_SIZE = settings.NEWSARCHIVE_FEED_SIZE = 3
    small = count_queries(client, url)
    settings.NEWSARCHIVE_PAGE_SIZE = settings.NEWSARCHIVE_FEED_SIZE = 25
    cache.clear()
    with django_assert_max_num_queries(small):
        client.get(url)
    assert count_queries(client, url) == small
    # The sitemap reads eight sections, most of them with a COUNT and a page of rows; every
    # page reads the content version once.
    limit = 14 if url == reverse("sitemap") else 12
    assert small <= limit, f"{url} runs {small} queries"


def test_article_page_runs_a_fixed_number_of_queries(
    client, archive, django_assert_max_num_queries
):
    articles, _ = archive
    for article in (articles[0], articles[15]):
        with django_assert_max_num_queries(11):  # the content version is one of them
            response = client.get(article.get_absolute_url())
        assert response.status_code == 200
    # Warm: neighbours and related articles come from the cache.
    with django_assert_max_num_queries(4):
        client.get(articles[15].get_absolute_url())
