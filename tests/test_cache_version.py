"""Readers see every write at once: the page and navigation caches are keyed on the content
version that editorial changes and imports bump in their own transaction.

Each test warms the caches as an anonymous reader first, writes the way an editor or
operator does, and reads again without clearing anything.
"""

import pytest
from django.test import Client
from django.urls import reverse

from articles import cache_version
from articles.models import Article, Category

from .admin_helpers import change_data
from .factories import category_chain, make_article
from .importing import post, run_import, write

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")


@pytest.fixture
def reader():
    return Client()


@pytest.fixture
def story():
    chain = category_chain("金融", "新浪财经", "国内")
    return make_article("景俊海到四平", categories=[chain.parent.parent, chain.parent, chain])


def menu(reader):
    html = reader.get(reverse("articles:home")).text
    return html[html.index('class="category-nav"') :].split("</nav>")[0]


def test_unpublish_action_is_a_404_for_the_next_reader(admin_client, reader, story):
    url = story.get_absolute_url()
    assert reader.get(url).status_code == 200
    assert "景俊海到四平" in reader.get(reverse("articles:home")).text
    admin_client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [story.pk]})
    assert Article.objects.get(pk=story.pk).status == Article.Status.DRAFT
    assert reader.get(url).status_code == 404
    assert "景俊海到四平" not in reader.get(reverse("articles:home")).text
    assert "景俊海到四平" not in reader.get(reverse("articles:feed_rss")).text


def test_change_form_edit_is_on_the_reader_page_at_once(admin_client, reader, story):
    url = story.get_absolute_url()
    assert "景俊海到四平" in reader.get(url).text
    change = reverse("admin:articles_article_change", args=[story.pk])
    response = admin_client.post(change, change_data(story, title="景俊海到吉林市"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    page = reader.get(url).text
    assert '<h1 lang="zh-Hans">景俊海到吉林市</h1>' in page
    assert "<title>景俊海到四平" not in page


def test_unpublishing_a_neighbour_updates_the_previous_next_links(admin_client, reader, story):
    later = story.published_at.replace(hour=20)
    newer = make_article("更新的一篇", slug="newer", published_at=later)
    assert newer.get_absolute_url() in reader.get(story.get_absolute_url()).text
    admin_client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [newer.pk]})
    assert newer.get_absolute_url() not in reader.get(story.get_absolute_url()).text


def test_category_merge_moves_the_menu_and_its_counts(admin_client, reader, story):
    other = category_chain("财经")
    make_article("另一篇", slug="other", categories=[other])
    assert ">财经<" in menu(reader)
    assert "另一篇" not in reader.get(reverse("articles:category", args=["金融"])).text
    finance = Category.objects.get(slug_path="金融")
    admin_client.post(
        reverse("admin:articles_category_changelist"),
        {
            "action": "merge",
            "_selected_action": [finance.pk, other.pk],
            "apply": "1",
            "target": finance.pk,
        },
    )
    assert not Category.objects.filter(pk=other.pk).exists()
    nav = menu(reader)
    assert ">财经<" not in nav
    assert "另一篇" in reader.get(reverse("articles:category", args=["金融"])).text


def test_import_commit_shows_new_categories(reader, tmp_path):
    write(tmp_path, "a.md", post(title="吉林新闻", leaf="国内"))
    run_import(tmp_path)
    before = reader.get(reverse("articles:category", args=["金融/新浪财经"])).text
    assert '>国内</a> <span class="count">1</span>' in before
    write(tmp_path, "a.md", post(title="吉林新闻", leaf="国际"))
    run_import(tmp_path)
    page = reader.get(reverse("articles:category", args=["金融/新浪财经"])).text
    assert '>国际</a> <span class="count">1</span>' in page
    # 国内 has no public article left: readers no longer see it at all.
    assert ">国内</a>" not in page


def test_the_version_is_read_once_per_request_and_changes_with_every_bump(
    reader, story, django_assert_num_queries
):
    before = cache_version.current()
    cache_version.bump()
    assert cache_version.current() != before
    reader.get(story.get_absolute_url())
    with django_assert_num_queries(1):
        reader.get(story.get_absolute_url())


def test_the_version_survives_a_flushed_table(reader, story):
    from articles.cache_version import ContentVersion

    ContentVersion.objects.all().delete()
    assert cache_version.current() == "0"
    assert reader.get(story.get_absolute_url()).status_code == 200
    cache_version.bump()
    assert cache_version.current() != "0"
