"""Prepared queries give what their querysets give, for any values, on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Q

from articles.models import Article, Category
from articles.navigation import CATEGORIES, TAGS, public_where
from articles.prepared import Prepared

from .factories import category_chain, make_article

pytestmark = pytest.mark.django_db

START = datetime(2022, 4, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def articles():
    made = [
        make_article(f"文章{n}", tags=[f"标签{n % 3}"], published_at=START + timedelta(hours=n))
        for n in range(12)
    ]
    # Not public in three ways: a draft, a future date, a window that has closed.
    made[3].status = Article.Status.DRAFT
    made[5].published_at = datetime.now(UTC) + timedelta(days=1)
    made[7].publish_end = START
    for article in (made[3], made[5], made[7]):
        article.save()
    return made


def between(now, after, before, excluded):
    return (
        public_where(now, Q(published_at__gt=after), Q(published_at__lt=before))
        .exclude(pk__in=excluded)
        .order_by("-published_at")
    )


def test_rows_and_objects_are_the_querysets_own_for_new_values(articles):
    prepared = Prepared(between)
    now = datetime.now(UTC)
    for after, before, excluded in (
        (START, START + timedelta(hours=11), [articles[1].pk]),
        (START - timedelta(days=1), now + timedelta(days=2), [articles[2].pk, articles[9].pk]),
        (START + timedelta(hours=4), START + timedelta(hours=9), [0]),
        (START + timedelta(hours=4), START + timedelta(hours=9), [0, 1, 2]),
    ):
        expected = list(between(now, after, before, excluded))
        got = prepared.objects(now, after, before, excluded)
        assert [a.pk for a in got] == [a.pk for a in expected]
        assert [(a.title, a.slug, a.published_at) for a in got] == [
            (a.title, a.slug, a.published_at) for a in expected
        ]
        assert got and got[0].get_absolute_url() == expected[0].get_absolute_url()
    # Compiled once per shape: an exclusion list of one, two and three ids.
    assert len(prepared.shapes) == 3


def test_values_come_back_converted(articles):
    prepared = Prepared(lambda pk: Article.objects.filter(pk=pk).values_list("pk", "published_at"))
    assert prepared.rows(articles[4].pk) == [(articles[4].pk, articles[4].published_at)]
    assert prepared.rows(-1) == []


def test_what_is_not_public_now_is_left_out_at_the_time_asked(articles):
    prepared = Prepared(lambda now: public_where(now).order_by("published_at"))
    later = articles[5].published_at + timedelta(hours=1)
    assert articles[5].pk not in [a.pk for a in prepared.objects(datetime.now(UTC))]
    assert articles[5].pk in [a.pk for a in prepared.objects(later)]
    assert articles[3].pk not in [a.pk for a in prepared.objects(later)]


def test_categories_and_tags_match_the_related_managers(articles):
    leaf = category_chain("金融", "新浪财经")
    article = articles[2]
    article.categories.set([leaf.parent, leaf])
    article.tags.set(["乙", "甲", "丙"])
    assert CATEGORIES.objects(article.pk) == list(article.categories.all())
    assert [t.name for t in TAGS.objects(article.pk)] == [t.name for t in article.tags.all()]
    assert CATEGORIES.objects(articles[0].pk) == []
    assert Category.objects.count() == 2


def test_a_value_the_query_drops_is_refused():
    with pytest.raises(ValueError, match="lost values"):
        Prepared(lambda pk: Article.objects.all()).rows(1)
