"""Categories, tags, authors, editors and sources are public only through public articles.

A name carried only by a draft, a future article or one whose publish window has closed
must not reach readers anywhere: not in the menu, not as a page or a feed, not in the
sitemap, not among the search filters.
"""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from articles.models import Article, Author, Category, Editor, Source

from .factories import category_chain, make_article

pytestmark = pytest.mark.django_db

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
HIDDEN_KINDS = {
    "draft": {"status": "draft"},
    "future": {"published_at": timezone.now() + timedelta(days=3)},
    "expired": {"publish_end": timezone.now() - timedelta(days=1)},
}


def names(kind):
    return {
        "category": f"{kind}分类",
        "tag": f"{kind}标签",
        "author": f"{kind}作者",
        "editor": f"{kind}编辑",
        "source": f"{kind}来源",
    }


@pytest.fixture
def taxonomy():
    """One public article and, per hidden kind, an article whose names are its alone."""
    public_leaf = category_chain("公开分类", "公开子类")
    make_article(
        "公开文章",
        categories=[public_leaf.parent, public_leaf],
        tags=["公开标签"],
        author="公开作者",
        editor="公开编辑",
        source="公开来源",
    )
    for kind, fields in HIDDEN_KINDS.items():
        named = names(kind)
        leaf = category_chain(named["category"], f"{kind}子类")
        make_article(
            f"{kind}文章",
            categories=[leaf.parent, leaf],
            tags=[named["tag"]],
            author=named["author"],
            editor=named["editor"],
            source=named["source"],
            **fields,
        )


def hidden_pages(kind):
    named = names(kind)
    category = Category.objects.get(name=named["category"])
    child = category.children.get()
    tag = Article.objects.get(title=f"{kind}文章").tags.get()
    author = Author.objects.get(name=named["author"])
    return [
        category.get_absolute_url(),
        child.get_absolute_url(),
        reverse("articles:subcategories", kwargs={"path": category.slug_path}),
        reverse("articles:tag", kwargs={"slug": tag.slug}),
        author.get_absolute_url(),
        Editor.objects.get(name=named["editor"]).get_absolute_url(),
        Source.objects.get(name=named["source"]).get_absolute_url(),
        reverse("articles:category_feed_rss", kwargs={"path": category.slug_path}),
        reverse("articles:category_feed_atom", kwargs={"path": child.slug_path}),
        reverse("articles:tag_feed_rss", kwargs={"slug": tag.slug}),
        reverse("articles:tag_feed_atom", kwargs={"slug": tag.slug}),
        reverse("articles:author_feed_rss", kwargs={"slug": author.slug}),
        reverse("articles:author_feed_atom", kwargs={"slug": author.slug}),
    ]


@pytest.mark.parametrize("kind", HIDDEN_KINDS)
def test_pages_and_feeds_of_names_only_hidden_articles_carry_are_404(client, taxonomy, kind):
    for url in hidden_pages(kind):
        assert client.get(url).status_code == 404, url


def test_pages_and_feeds_of_public_names_answer(client, taxonomy):
    # The same URLs built for the public article's names: the 404s above are not a broken URL.
    for url in hidden_pages("公开"):
        assert client.get(url).status_code == 200, url


def test_menu_home_and_category_index_show_public_categories_only(client, taxonomy):
    soup = BeautifulSoup(client.get(reverse("articles:home")).text, "html.parser")
    menu = [a.text for a in soup.select(".category-nav a")]
    assert menu == ["首页", "公开分类"]
    sidebar = [a.text for a in soup.select(".sidebar .counts a")]
    assert sidebar[0] == "公开分类"
    assert not any("分类" in text and text != "公开分类" for text in sidebar)
    index = BeautifulSoup(client.get(reverse("articles:categories")).text, "html.parser")
    assert [a.text for a in index.select(".category-index a")] == ["公开分类"]


def test_sitemap_lists_no_hidden_name(client, taxonomy):
    root = etree.fromstring(client.get(reverse("sitemap")).content)
    locations = {url.findtext(f"{SITEMAP_NS}loc") for url in root}
    for kind in HIDDEN_KINDS:
        for url in hidden_pages(kind)[:7]:
            if "/categories/" not in url:
                assert f"http://testserver{url}" not in locations, url
    for url in hidden_pages("公开")[:7]:
        if "/categories/" not in url:
            assert f"http://testserver{url}" in locations, url


def test_search_filters_offer_and_accept_public_names_only(client, taxonomy):
    soup = BeautifulSoup(client.get(reverse("articles:search")).text, "html.parser")
    offered = {
        field: [option.text for option in soup.select(f'select[name="{field}"] option')][1:]
        for field in ("category", "author", "source")
    }
    assert offered == {
        "category": ["公开分类", "公开分类 / 公开子类"],
        "author": ["公开作者"],
        "source": ["公开来源"],
    }
    hidden = Author.objects.get(name="draft作者")
    response = client.get(reverse("articles:search"), {"q": "文章", "author": hidden.slug})
    assert "author" in response.context["form"].errors


def test_category_public_through_a_subcategory_an_editor_filed(client):
    # Filed at the leaf only (the admin's form allows it): the root above it is public too.
    leaf = category_chain("只有子类", "子类文章")
    make_article("叶子文章", categories=[leaf])
    assert list(Category.objects.public()) == [leaf.parent, leaf]
    assert Category.objects.public_counts() == {leaf.parent.slug_path: 1}
    assert client.get(leaf.parent.get_absolute_url()).status_code == 200
    menu = BeautifulSoup(client.get("/").text, "html.parser").select(".category-nav a")
    assert [a.text for a in menu] == ["首页", "只有子类"]
