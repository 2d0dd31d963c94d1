"""RSS and Atom feeds parse as XML and carry the right items, content and dates."""

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from lxml import etree as ET

from articles.models import Article

from .factories import category_chain, make_article

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
APRIL_7 = datetime(2022, 4, 7, 13, 21, 43, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()  # feeds are cached whole; each test must see its own rows


@pytest.fixture
def articles():
    leaf = category_chain("金融", "新浪财经", "国内")
    chain = [leaf.parent.parent, leaf.parent, leaf]
    return {
        "old": make_article(
            "旧闻", categories=chain, tags=["疫情"], author="新浪财经", published_at=APRIL_7
        ),
        "new": make_article(
            "新闻",
            categories=[leaf.parent.parent],
            author="cnBeta",
            published_at=APRIL_7 + timedelta(days=1),
            updated_at=APRIL_7 + timedelta(days=2),
            body_html="<p>全文<strong>内容</strong></p>",
        ),
        "draft": make_article("草稿", categories=chain, tags=["疫情"], status="draft"),
        "leaf": leaf,
    }


def rss_items(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    return ET.fromstring(response.content).findall("./channel/item")


def atom_entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content).findall(f"{ATOM}entry")


def test_site_rss_has_public_items_newest_first_with_full_content(client, articles):
    items = rss_items(client, reverse("articles:feed_rss"))
    assert [item.findtext("title") for item in items] == ["新闻", "旧闻"]
    new = items[0]
    assert new.findtext("link") == "http://testserver" + articles["new"].get_absolute_url()
    assert new.findtext(CONTENT) == "<p>全文<strong>内容</strong></p>"
    assert parsedate_to_datetime(new.findtext("pubDate")) == APRIL_7 + timedelta(days=1)
    assert [c.text for c in items[1].findall("category")] == ["金融", "新浪财经", "国内", "疫情"]


def test_site_atom_has_published_updated_author_and_content(client, articles):
    entries = atom_entries(client, reverse("articles:feed_atom"))
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["新闻", "旧闻"]
    new = entries[0]
    assert new.findtext(f"{ATOM}published") == "2022-04-08T13:21:43+00:00"
    assert new.findtext(f"{ATOM}updated") == "2022-04-09T13:21:43+00:00"
    assert new.findtext(f"{ATOM}author/{ATOM}name") == "cnBeta"
    content = new.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert content.text == "<p>全文<strong>内容</strong></p>"


def test_category_feed_includes_descendants_only(client, articles):
    root_url = reverse("articles:category_feed_rss", kwargs={"path": "金融"})
    assert [i.findtext("title") for i in rss_items(client, root_url)] == ["新闻", "旧闻"]
    leaf_url = reverse("articles:category_feed_atom", kwargs={"path": articles["leaf"].slug_path})
    assert [e.findtext(f"{ATOM}title") for e in atom_entries(client, leaf_url)] == ["旧闻"]
    missing = reverse("articles:category_feed_rss", kwargs={"path": "没有"})
    assert client.get(missing).status_code == 404


def test_tag_and_author_feeds(client, articles):
    tag_url = reverse("articles:tag_feed_rss", kwargs={"slug": "疫情"})
    assert [i.findtext("title") for i in rss_items(client, tag_url)] == ["旧闻"]
    author = articles["new"].author
    author_url = reverse("articles:author_feed_atom", kwargs={"slug": author.slug})
    feed = ET.fromstring(client.get(author_url).content)
    assert feed.findtext(f"{ATOM}title") == "新闻档案 · 作者：cnBeta"
    assert [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")] == ["新闻"]


def test_feeds_answer_conditional_get(client, articles):
    url = reverse("articles:feed_rss")
    first = client.get(url)
    # Last-Modified is the latest change of any item: the newer article's update.
    assert first["Last-Modified"] == "Sat, 09 Apr 2022 13:21:43 GMT"
    assert client.get(url, headers={"if-modified-since": first["Last-Modified"]}).status_code == 304
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
    # An editor's change moves Last-Modified, so If-Modified-Since gets the new feed.
    edited = APRIL_7 + timedelta(days=3)
    Article.objects.filter(pk=articles["old"].pk).update(edited_at=edited)
    cache.clear()
    again = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    assert again.status_code == 200
    assert again["Last-Modified"] == "Sun, 10 Apr 2022 13:21:43 GMT"
