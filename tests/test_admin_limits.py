"""The admin opens, previews and saves the largest article an import may make, and holds
typed image URLs to the importer's rule."""

import pytest
from django.urls import reverse

from articles.models import Article, ArticleImage

from .admin_helpers import change_data
from .factories import make_article
from .importing import post, run_import, write

pytestmark = pytest.mark.django_db

IMAGES = 300


@pytest.fixture
def photo_story(tmp_path):
    # A crawled photo gallery: every picture in Sina's wrapper with its credit line.
    gallery = "".join(
        f'<div class="img_wrapper"><img src="https://n.sinaimg.cn/gallery/{n}.jpg" alt>'
        f'<span class="img_descr">第{n}张 邹乃硕 摄</span></div>'
        for n in range(IMAGES - 1)
    )
    write(tmp_path, "gallery.md", post(title="春耕图集", body=f"组图。</p>{gallery}<p>完。"))
    _, err, failed = run_import(tmp_path)
    assert not failed, err
    article = Article.objects.get()
    assert article.images.count() == IMAGES
    return article


def test_an_article_of_300_images_saves_and_previews(admin_client, photo_story):
    change = reverse("admin:articles_article_change", args=[photo_story.pk])
    assert admin_client.get(change).status_code == 200
    data = change_data(photo_story, title="春耕图集（改）")
    assert len(data) > 1000  # Django's default DATA_UPLOAD_MAX_NUMBER_FIELDS
    preview = admin_client.post(
        reverse("admin:articles_article_preview", args=[photo_story.pk]), data
    )
    assert preview.status_code == 200
    assert "春耕图集（改）" in preview.text
    assert preview.text.count('src="https://n.sinaimg.cn/gallery/') == IMAGES - 1
    saved = admin_client.post(change, data)
    assert saved.status_code == 302, saved.context["errors"] if saved.context else saved
    photo_story.refresh_from_db()
    assert photo_story.title == "春耕图集（改）"
    assert photo_story.images.count() == IMAGES


HOSTILE_URLS = [
    "javascript:alert(1)",
    " JaVa\tScRiPt:alert(1)",
    "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
    "vbscript:msgbox(1)",
]


@pytest.fixture
def article():
    article = make_article("春耕", body_html='<p>春耕</p><img src="https://n.sinaimg.cn/a.jpg">')
    ArticleImage.objects.create(article=article, position=0, src="https://n.sinaimg.cn/a.jpg")
    return article


@pytest.mark.parametrize("url", HOSTILE_URLS)
@pytest.mark.parametrize("field", ["lead_image_url", "thumbnail_url"])
def test_typed_lead_and_thumbnail_urls_are_checked(admin_client, article, field, url):
    change = reverse("admin:articles_article_change", args=[article.pk])
    response = admin_client.post(change, change_data(article, **{field: url}))
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == [field]
    article.refresh_from_db()
    assert getattr(article, field) == ""


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_body_and_image_row_urls_are_checked(admin_client, article, url):
    change = reverse("admin:articles_article_change", args=[article.pk])
    body = f'<p>正文</p><figure><img src="{url}" alt=""><figcaption>说明</figcaption></figure>'
    response = admin_client.post(change, change_data(article, body_html=body))
    assert list(response.context["adminform"].form.errors) == ["body_html"]
    row = change_data(article, **{"images-0-src": url})
    response = admin_client.post(change, row)
    refused = f"图片地址只能是 http、https 或相对地址：{url.strip()}"  # forms strip text
    assert response.context["inline_admin_formsets"][0].formset.errors == [{"src": [refused]}]
    assert ArticleImage.objects.get(article=article).src.startswith("https://n.sinaimg.cn/")


def test_http_https_and_relative_image_urls_are_kept(admin_client, article):
    change = reverse("admin:articles_article_change", args=[article.pk])
    data = change_data(
        article,
        lead_image_url="https://n.sinaimg.cn/lead.jpg",
        thumbnail_url="/media/thumbs/a.jpg",
        body_html='<p>正文</p><img src="//n.sinaimg.cn/b.jpg" alt="">',
    )
    assert admin_client.post(change, data).status_code == 302
    article.refresh_from_db()
    assert (article.lead_image_url, article.thumbnail_url) == (
        "https://n.sinaimg.cn/lead.jpg",
        "/media/thumbs/a.jpg",
    )
