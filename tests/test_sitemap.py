"""sitemap.xml lists every public article and the list pages, and no draft."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from lxml import etree as ET

from .factories import category_chain, make_article

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def sitemap_locations(client):
    response = client.get(reverse("sitemap"))
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return {url.findtext(f"{NS}loc"): url.findtext(f"{NS}lastmod") for url in root}


def test_sitemap_lists_every_public_article_and_no_draft(client):
    leaf = category_chain("金融", "新浪财经")
    public = [
        make_article(f"公开{n}", categories=[leaf.parent, leaf], tags=["疫情"], author="新浪财经")
        for n in range(5)
    ]
    draft = make_article("草稿", status="draft", author="只写草稿的人")
    expired = make_article("过期", publish_end=timezone.now() - timedelta(days=1))
    locations = sitemap_locations(client)
    for article in public:
        # The full moment, in the site's zone: an edit later the same day moves it too.
        assert (
            locations[f"http://testserver{article.get_absolute_url()}"]
            == "2022-04-07T21:21:43+08:00"
        )
    for hidden in (draft, expired):
        assert f"http://testserver{hidden.get_absolute_url()}" not in locations
    expected_lists = [
        reverse("articles:home"),
        leaf.get_absolute_url(),
        leaf.parent.get_absolute_url(),
        reverse("articles:tag", kwargs={"slug": "疫情"}),
        public[0].author.get_absolute_url(),
        reverse("articles:archive_year", kwargs={"year": 2022}),
        reverse("articles:archive_month", kwargs={"year": 2022, "month": 4}),
    ]
    for path in expected_lists:
        assert f"http://testserver{path}" in locations
    # A list page with only drafts behind it is not worth a crawl.
    assert f"http://testserver{draft.author.get_absolute_url()}" not in locations
    assert len(locations) == 5 + len(expected_lists)
