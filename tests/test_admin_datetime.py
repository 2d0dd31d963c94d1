"""The admin's date and time inputs keep a publication time exactly when the editor leaves it."""

from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from articles.models import Article

from .admin_helpers import change_data
from .factories import make_article

pytestmark = pytest.mark.django_db

MOMENT = datetime(2022, 4, 7, 13, 21, 43, 250000, tzinfo=UTC)


def rendered_form(admin_client, article):
    """change_data(), but with the date and time exactly as the change form shows them."""
    url = reverse("admin:articles_article_change", args=[article.pk])
    page = BeautifulSoup(admin_client.get(url).content, "html.parser")
    data = change_data(article)
    for name in ("published_at", "publish_start", "publish_end", "updated_at"):
        for part in ("0", "1"):
            data[f"{name}_{part}"] = page.find("input", {"name": f"{name}_{part}"}).get("value", "")
    return url, data


def test_the_time_input_shows_the_seconds(admin_client):
    article = make_article("吉林疫情防控", published_at=MOMENT, source_path="金融/a.md")
    _, data = rendered_form(admin_client, article)
    # Asia/Shanghai, the site's zone; the stock Chinese input showed "21:21".
    assert (data["published_at_0"], data["published_at_1"]) == ("2022/04/07", "21:21:43")


def test_an_unchanged_save_keeps_the_publication_time_exactly(admin_client):
    article = make_article(
        "吉林疫情防控", published_at=MOMENT, updated_at=MOMENT, source_path="金融/a.md"
    )
    url, data = rendered_form(admin_client, article)
    response = admin_client.post(url, data)
    assert response.status_code == 302
    stored = Article.objects.get(pk=article.pk)
    assert stored.published_at == MOMENT
    assert stored.updated_at == MOMENT


def test_a_changed_time_is_saved_to_the_second(admin_client):
    article = make_article("吉林疫情防控", published_at=MOMENT, source_path="金融/a.md")
    url, data = rendered_form(admin_client, article)
    data["published_at_1"] = "21:22:05"
    assert admin_client.post(url, data).status_code == 302
    stored = Article.objects.get(pk=article.pk).published_at
    assert stored == datetime(2022, 4, 7, 13, 22, 5, tzinfo=UTC)
