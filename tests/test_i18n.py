"""zh-hans by default; English through the language switch, from committed translations."""

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation

from .factories import category_chain, make_article

pytestmark = pytest.mark.django_db


def chinese_url(article):
    with translation.override("zh-hans"):
        return article.get_absolute_url()


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
    assert response["Location"] == "/en/"
    # Still POST only, and never a redirect off the site.
    assert strict.get(reverse("set_language")).cookies == {}
    away = strict.post(reverse("set_language"), {"language": "en", "next": "https://evil.test/"})
    assert away["Location"] == "/en/"


def test_language_switch_goes_to_the_same_page_in_the_other_language(client):
    article = make_article("景俊海到四平", editor="王珊珊", source="吉林日报")
    url = article.get_absolute_url()
    response = client.post("/i18n/setlang/", {"language": "en", "next": url}, follow=True)
    assert response.redirect_chain == [("/en" + url, 302)]
    html = response.text
    assert '<html lang="en">' in html
    assert '<span class="label">Editor: </span>' in html
    assert '<span class="label">Source: </span>' in html
    assert '<a href="/en/">Home</a>' in html
    # The content stays Chinese and says so, for screen readers and fonts.
    assert '<h1 lang="zh-Hans">景俊海到四平</h1>' in html
    # Back from the English page (its form posts under /en/), with the query string kept.
    back = client.post("/en/i18n/setlang/", {"language": "zh-hans", "next": "/en/2022/?page=1"})
    assert back["Location"] == "/2022/?page=1"


def test_the_url_alone_decides_the_language(client):
    make_article("新闻")
    english_browser = {"accept-language": "en", "cookie": f"{settings.LANGUAGE_COOKIE_NAME}=en"}
    chinese = client.get("/", headers=english_browser)
    assert '<h1 id="latest">最新文章</h1>' in chinese.text
    assert "Accept-Language" not in chinese.get("Vary", "")
    english = client.get("/en/", headers={"accept-language": "zh-CN"})
    assert '<h1 id="latest">Latest articles</h1>' in english.text
    assert "Accept-Language" not in english.get("Vary", "")
    assert english["Content-Language"] == "en"


def test_english_pages_link_to_english_pages(client):
    article = make_article("新闻", categories=[category_chain("金融")], tags=["疫情"])
    html = client.get("/en" + article.get_absolute_url()).text
    soup = BeautifulSoup(html, "html.parser")
    links = {a["href"] for a in soup.select("main a[href], header a[href]")}
    site_links = {href for href in links if href.startswith("/")}
    assert site_links, links
    assert all(href.startswith("/en/") for href in site_links), site_links
    assert soup.select_one('form[role="search"]')["action"] == "/en/search/"
    assert soup.select_one("form.language-switch")["action"] == "/en/i18n/setlang/"


def test_head_names_both_languages_of_the_page(client):
    url = chinese_url(make_article("新闻"))
    for path in (url, "/en" + url):
        soup = BeautifulSoup(client.get(path).text, "html.parser")
        links = soup.select('link[rel="alternate"][hreflang]')
        alternates = {link["hreflang"]: link["href"] for link in links}
        assert alternates == {
            "zh-Hans": "http://testserver" + url,
            "en": "http://testserver/en" + url,
            "x-default": "http://testserver" + url,
        }
    canonical = BeautifulSoup(client.get("/en" + url).text, "html.parser").select_one(
        'link[rel="canonical"]'
    )
    assert canonical["href"] == "http://testserver/en" + url


def test_feeds_sitemap_robots_and_admin_keep_working(client):
    url = chinese_url(make_article("新闻"))
    assert f"<link>http://testserver{url}</link>" in client.get("/feeds/rss.xml").text
    english_feed = client.get("/en/feeds/rss.xml")
    assert english_feed.status_code == 200
    assert f"<link>http://testserver/en{url}</link>" in english_feed.text
    sitemap = client.get("/sitemap.xml").text
    assert f"<loc>http://testserver{url}</loc>" in sitemap
    assert "Sitemap: http://testserver/sitemap.xml" in client.get("/robots.txt").text
    # The admin has no language in its URLs: it follows the editor's browser, as before.
    english_admin = client.get("/admin/login/", headers={"accept-language": "en"})
    assert '<html lang="en"' in english_admin.text
    assert "Accept-Language" in english_admin["Vary"]
    chinese_admin = client.get("/admin/login/", headers={"accept-language": "zh-CN"})
    assert '<html lang="zh-hans"' in chinese_admin.text
    assert client.get("/en/admin/").status_code == 404


def test_article_etag_differs_by_language(client):
    url = chinese_url(make_article("新闻"))
    chinese = client.get(url)["ETag"]
    english = client.get("/en" + url, headers={"if-none-match": chinese})
    assert english.status_code == 200
    assert english["ETag"] != chinese


def test_english_dates_and_plurals_on_archives(client, settings):
    settings.NEWSARCHIVE_PAGE_SIZE = 1
    make_article("一")
    make_article("二", slug="two")
    html = client.get("/en/2022/04/").text
    assert "<h1>April 2022</h1>" in html
    assert "Page 1 of 2, 2 articles" in html
