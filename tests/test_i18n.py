"""zh-hans by default; English through the language switch, from committed translations."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation

from .factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def test_compiled_messages_are_committed_next_to_their_source():
    # A fresh machine without gettext must still serve English.
    locale = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
    assert (locale / "django.mo").stat().st_mtime >= (locale / "django.po").stat().st_mtime - 1
    with translation.override("en"):
        assert translation.gettext("最新文章") == "Latest articles"
        assert translation.gettext("责任编辑") == "Editor"


def test_chinese_is_the_default_whatever_the_browser_asks_for_nothing(client):
    make_article("新闻")
    html = client.get(reverse("articles:home")).text
    assert '<html lang="zh-hans">' in html
    assert '<h1 id="latest">最新文章</h1>' in html
    assert 'value="zh-hans" lang="zh-hans" aria-current="true" disabled>简体中文</button>' in html


def test_language_switch_works_without_a_csrf_token_so_pages_stay_cacheable():
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    # Still POST only, and never a redirect off the site.
    assert strict.get(reverse("set_language")).cookies == {}
    away = strict.post(reverse("set_language"), {"language": "en", "next": "https://evil.test/"})
    assert away["Location"] == "/"


def test_language_switch_turns_the_interface_english_and_back(client):
    article = make_article("景俊海到四平", editor="王珊珊", source="吉林日报")
    url = article.get_absolute_url()
    response = client.post(reverse("set_language"), {"language": "en", "next": url}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    html = response.text
    assert '<html lang="en">' in html
    assert '<span class="label">Editor: </span>' in html
    assert '<span class="label">Source: </span>' in html
    assert '<a href="/">Home</a>' in html
    # The content stays Chinese and says so, for screen readers and fonts.
    assert '<h1 lang="zh-Hans">景俊海到四平</h1>' in html
    assert '<h1 id="latest">Latest articles</h1>' in client.get(reverse("articles:home")).text
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in client.get(reverse("articles:home")).text


def test_article_etag_differs_by_language(client):
    article = make_article("新闻")
    chinese = client.get(article.get_absolute_url())["ETag"]
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(article.get_absolute_url(), headers={"if-none-match": chinese})
    assert english.status_code == 200
    assert english["ETag"] != chinese


def test_english_dates_and_plurals_on_archives(client, settings):
    settings.NEWSARCHIVE_PAGE_SIZE = 1
    make_article("一")
    make_article("二", slug="two")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("articles:archive_month", kwargs={"year": 2022, "month": 4})).text
    assert "<h1>April 2022</h1>" in html
    assert "Page 1 of 2, 2 articles" in html
