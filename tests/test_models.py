from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pytest
from django.db import IntegrityError, transaction
from django.urls import resolve, reverse

from articles.models import Article, Category

from .factories import category_chain, make_article

pytestmark = pytest.mark.django_db


def test_category_identity_is_name_and_parent():
    a = category_chain("金融", "新浪财经", "国内")
    b = category_chain("科技", "新浪财经", "国内")
    assert a.pk != b.pk
    assert a.path == "金融 / 新浪财经 / 国内"
    assert b.slug_path == "科技/新浪财经/国内"
    assert Category.objects.filter(name="新浪财经").count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.create(name="国内", parent=a.parent)


def test_root_categories_are_unique_by_name():
    Category.objects.create(name="金融")
    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.create(name="金融")


def test_ancestors_and_descendants_without_walking(django_assert_num_queries):
    leaf = category_chain("金融", "新浪财经", "新浪财经－国內")
    root = Category.objects.get(name="金融")
    with django_assert_num_queries(1):
        assert [c.name for c in leaf.ancestors()] == ["金融", "新浪财经", "新浪财经－国內"]
    assert set(Category.objects.descendants_of(root).values_list("name", flat=True)) == {
        "金融",
        "新浪财经",
        "新浪财经－国內",
    }
    assert leaf.depth == 2


def test_chinese_slug_round_trips_through_reverse_and_resolve():
    article = make_article(title="景俊海到四平", slug="景俊海到四平")
    url = article.get_absolute_url()
    assert url == "/2022/04/07/%E6%99%AF%E4%BF%8A%E6%B5%B7%E5%88%B0%E5%9B%9B%E5%B9%B3/"
    match = resolve(
        unquote(
            reverse(
                "articles:detail",
                kwargs={"year": 2022, "month": 4, "day": 7, "slug": "景俊海到四平"},
            )
        )
    )
    assert match.kwargs["slug"] == "景俊海到四平"
    leaf = category_chain("金融", "新浪财经")
    assert resolve(unquote(leaf.get_absolute_url())).kwargs["path"] == "金融/新浪财经"


def test_published_respects_status_and_window():
    now = datetime(2024, 1, 1, tzinfo=UTC)
    live = make_article("上线", status="published")
    make_article("草稿", status="draft")
    make_article("未到", publish_start=now + timedelta(days=1))
    make_article("过期", publish_end=now - timedelta(days=1))
    windowed = make_article(
        "窗口内", publish_start=now - timedelta(days=1), publish_end=now + timedelta(days=1)
    )
    assert set(Article.objects.published(now=now)) == {live, windowed}


def test_char_count_counts_characters_not_words():
    article = make_article("字数", body_html="<p>疫情防控 工作</p><p>十个字</p>")
    assert article.char_count == 9
