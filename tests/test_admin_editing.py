"""Editing an article in the admin: editor widget, sanitizing, edited mark, preview, history."""

import html
import json
import re

import pytest
from django.test.html import parse_html
from django.urls import reverse
from reversion.models import Version

from articles import search
from articles.models import Article, ArticleImage

from .admin_helpers import change_data, staff_user
from .factories import category_chain, make_article

pytestmark = pytest.mark.django_db

HOSTILE = (
    '<p onclick="steal()">新写的段落：春耕备耕</p><script>alert(1)</script>'
    '<figure><img src="https://n.sinaimg.cn/new.jpg" alt="图">'
    "<figcaption>说明</figcaption></figure>"
    '<iframe src="https://evil.example/"></iframe>'
)


@pytest.fixture
def article():
    leaf = category_chain("金融", "新浪财经")
    article = make_article(
        "吉林省委书记景俊海到四平",
        author="新浪财经",
        categories=[leaf.parent, leaf],
        tags=["疫情"],
        source_path="金融/a.md",
        body_html="<p>原来的正文：景俊海调研。</p>",
    )
    ArticleImage.objects.create(article=article, position=0, src="https://n.sinaimg.cn/a.jpg")
    search.update_index([article.pk])
    return article


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def found(q):
    return list(Article.objects.search(q, include_unpublished=True).values_list("pk", flat=True))


def test_change_page_has_the_rich_text_editor_served_locally(admin_client, article):
    content = admin_client.get(change_url(article)).content.decode()
    # The configurable preset: the default one ignores the extensions the form configures
    # (figures, images, tables), and saving a body in it lost every photo.
    found = re.search(
        r'<textarea[^>]+name="body_html"[^>]+data-django-prose-editor-configurable="([^"]+)"',
        content,
    )
    assert found
    config = json.loads(html.unescape(found.group(1)))
    assert {"Figure", "Image", "Caption", "Table", "Link", "CodeBlock"} <= set(config["extensions"])
    assert config["js_modules"] == ["/static/articles/editor_extras.js"]
    assert '<script type="importmap"' in content
    assert "/static/django_prose_editor/editor.js" in content
    # Every script and stylesheet comes from our own static files: nothing from a CDN.
    for url in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', content):
        assert not url.startswith(("http:", "https:", "//")), url
    assert "字数" in content and "preview/" in content


def test_editor_static_files_ship_with_the_package():
    from django.contrib.staticfiles import finders

    for name in ("editor.js", "configurable.js", "editor.css", "material-icons.woff2"):
        assert finders.find(f"django_prose_editor/{name}"), name


def test_admin_save_sanitizes_marks_edited_and_reindexes(admin_client, article):
    response = admin_client.post(
        change_url(article), change_data(article, body_html=HOSTILE, excerpt="")
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    article.refresh_from_db()
    assert "<script" not in article.body_html and "onclick" not in article.body_html
    assert "<iframe" not in article.body_html
    # Compared as HTML: nh3 writes the forced attributes in no fixed order.
    assert parse_html(article.body_html) == parse_html(
        "<p>新写的段落：春耕备耕</p><figure><img "
        'src="https://n.sinaimg.cn/new.jpg" alt="图" loading="lazy" referrerpolicy="no-referrer">'
        "<figcaption>说明</figcaption></figure>"
    )
    assert article.body_text.startswith("新写的段落：春耕备耕")
    assert "alert" not in article.body_text
    assert article.excerpt.startswith("新写的段落")  # derived again from the new text
    assert article.edited_at is not None
    assert article.char_count == len("新写的段落：春耕备耕说明")
    assert found("春耕备耕") == [article.pk]
    assert found("景俊海调研") == []
    assert Version.objects.get_for_object(article).count() == 1


def test_saving_unchanged_form_does_not_mark_edited(admin_client, article):
    admin_client.post(change_url(article), change_data(article))
    article.refresh_from_db()
    assert article.edited_at is None


def test_save_and_index_are_one_transaction(admin_client, article, monkeypatch):
    # Fault injection: if indexing fails, the edit must not be stored without its index entry.
    def broken_index(ids):
        raise RuntimeError("index down")

    monkeypatch.setattr(search, "update_index", broken_index)
    with pytest.raises(RuntimeError):
        admin_client.post(change_url(article), change_data(article, body_html="<p>半截</p>"))
    stored = Article.objects.get(pk=article.pk)
    assert stored.body_html == "<p>原来的正文：景俊海调研。</p>"
    assert stored.edited_at is None
    assert not Version.objects.get_for_object(article).exists()


def test_char_count_in_changelist(admin_client, article):
    assert len("原来的正文：景俊海调研。") == 12  # characters, punctuation included
    response = admin_client.get(reverse("admin:articles_article_changelist"))
    assert '<td class="field-char_count">12</td>' in response.content.decode()


def test_preview_renders_unsaved_changes_sanitized_and_stores_nothing(admin_client, article):
    url = reverse("admin:articles_article_preview", args=[article.pk])
    response = admin_client.post(
        url, change_data(article, title="预览标题", body_html=HOSTILE, status="draft")
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1" in content and "预览标题" in content
    assert "新写的段落：春耕备耕" in content
    assert "alert(1)" not in content and "evil.example" not in content
    assert 'referrerpolicy="no-referrer"' in content
    assert "preview-banner" in content
    assert "no-store" in response["Cache-Control"]
    stored = Article.objects.get(pk=article.pk)
    assert (stored.title, stored.status) == ("吉林省委书记景俊海到四平", "published")
    assert stored.edited_at is None


def test_preview_of_a_new_draft_with_categories_and_tags(admin_client, article):
    leaf = Article.objects.get(pk=article.pk).categories.order_by("depth").last()
    data = change_data(article, title="新稿", slug="新稿", status="draft", tags="新标签, 疫情")
    data["categories"] = [leaf.pk]
    data.update({"images-TOTAL_FORMS": 0, "images-INITIAL_FORMS": 0})
    response = admin_client.post(reverse("admin:articles_article_preview_new"), data)
    content = response.content.decode()
    assert response.status_code == 200
    assert "新稿" in content and "新标签" in content
    assert leaf.get_absolute_url() in content  # breadcrumbs from the posted categories
    assert Article.objects.filter(title="新稿").count() == 0


def test_preview_of_invalid_form_lists_errors(admin_client, article):
    url = reverse("admin:articles_article_preview", args=[article.pk])
    response = admin_client.post(url, change_data(article, title=""))
    assert response.status_code == 400
    assert "标题" in response.content.decode()


def test_history_compare_and_restore(admin_client, article):
    admin_client.post(
        change_url(article), change_data(article, body_html="<p>第一次修改：春耕</p>")
    )
    article.refresh_from_db()
    admin_client.post(
        change_url(article),
        change_data(article, title="改过的标题", body_html="<p>第二次修改：秋收</p>"),
    )
    versions = list(Version.objects.get_for_object(article))  # newest first
    assert len(versions) == 2
    newer, older = versions

    history = admin_client.get(reverse("admin:articles_article_history", args=[article.pk]))
    assert f'name="from" value="{older.pk}"' in history.content.decode()

    compare = admin_client.get(
        reverse("admin:articles_article_compare", args=[article.pk]),
        {"from": older.pk, "to": newer.pk},
    )
    content = compare.content.decode()
    assert "<del>第一次修改：春耕</del>" in content
    assert "<ins>第二次修改：秋收</ins>" in content
    assert "改过的标题" in content

    # Restoring: reversion's revision page shows the old version's form; posting it saves it.
    revision_url = reverse("admin:articles_article_revision", args=[article.pk, older.pk])
    shown = admin_client.get(revision_url)
    assert "第一次修改：春耕" in shown.content.decode()
    article.refresh_from_db()
    assert article.title == "改过的标题"  # showing a version changes nothing
    restored_data = change_data(article, title=older.field_dict["title"])
    restored_data["body_html"] = older.field_dict["body_html"] + "<script>x()</script>"
    response = admin_client.post(revision_url, restored_data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "吉林省委书记景俊海到四平"
    assert article.body_html == "<p>第一次修改：春耕</p>"  # sanitized again on restore
    assert article.body_text == "第一次修改：春耕"
    assert found("秋收") == [] and found("春耕") == [article.pk]
    assert Version.objects.get_for_object(article).count() == 3


def test_view_only_staff_cannot_edit_or_preview(client, django_user_model, article):
    client.force_login(staff_user(django_user_model, "view_article"))
    page = client.get(change_url(article)).content.decode()
    assert 'name="body_html"' not in page  # read-only: no editor
    response = client.post(change_url(article), change_data(article, body_html="<p>改</p>"))
    assert response.status_code == 403
    preview = reverse("admin:articles_article_preview", args=[article.pk])
    assert client.post(preview, change_data(article)).status_code == 403
    assert Article.objects.get(pk=article.pk).body_html == "<p>原来的正文：景俊海调研。</p>"


def test_preview_needs_staff(client, article):
    url = reverse("admin:articles_article_preview", args=[article.pk])
    response = client.post(url, change_data(article))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
