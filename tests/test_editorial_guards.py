"""What guards an editor's work: re-cleaning keeps it, the import lock covers the admin's
re-cleaning, permissions decide who may curate and preview, and what the admin stores is
what the importer would store (XML-safe, derived the same way)."""

from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from articles import content
from articles.importing.locking import import_lock
from articles.models import Article, ArticleImage, Author, Category, Editor, Source

from .admin_helpers import browser_form_data, change_data, staff_user
from .factories import category_chain, make_article
from .importing import run_import
from .test_editorial_path import ARTICLES, REL, act, import_seed, state

pytestmark = pytest.mark.django_db


def reprocess_command(*args):
    out = StringIO()
    call_command("reprocess_articles", *args, verbosity=2, stdout=out)
    return out.getvalue()


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize("how", ["admin", "command"])
def test_recleaning_keeps_a_takedown_and_force_can_be_undone(admin_client, tmp_path, how):
    imported = import_seed(tmp_path)
    article = imported.article
    act(admin_client, ARTICLES, "unpublish", [article])
    act(admin_client, ARTICLES, "add_tags", [article], apply="1", tags="编辑加的标签")
    edited = state(article)
    assert edited["status"] == "draft"

    if how == "admin":
        response = act(admin_client, ARTICLES, "reprocess", [article])
        assert "保留编辑 1 篇" in " ".join(messages_of(response))
    else:
        assert f"kept: {REL}" in reprocess_command()
    assert state(article) == edited  # the file still says published; the takedown holds
    assert Client().get(article.get_absolute_url()).status_code == 404

    reprocess_command("--force")
    assert state(article)["status"] == "published"
    assert "编辑加的标签" not in state(article)["tags"]
    version = Version.objects.get_for_object(article).first()
    url = reverse("admin:articles_article_revision", args=[article.pk, version.pk])
    page = admin_client.get(url).content.decode()
    assert admin_client.post(url, browser_form_data(page)).status_code == 302
    assert state(article) == edited


def test_admin_recleaning_of_an_unedited_article_keeps_a_revision(admin_client, tmp_path):
    imported = import_seed(tmp_path)
    article = imported.article
    Article.objects.filter(pk=article.pk).update(body_html="<p>stale</p>", body_text="stale")
    response = act(admin_client, ARTICLES, "reprocess", [article])
    assert "更新 1 篇" in " ".join(messages_of(response))
    stored = imported.article
    assert stored.body_text.startswith("今天，省委书记景俊海")
    # The file's text, not an editor's: later imports go on updating it.
    assert stored.edited_at is None
    assert Version.objects.get_for_object(article).get().revision.comment == "从原始文件重新清洗"


def test_admin_recleaning_waits_for_no_import_and_says_so(admin_client, tmp_path, monkeypatch):
    imported = import_seed(tmp_path)
    article = imported.article
    Article.objects.filter(pk=article.pk).update(body_html="<p>stale</p>", body_text="stale")
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # The test database lives in memory, where no second process could write and the
        # lock is skipped; point the lock at a file so the real flock is taken.
        monkeypatch.setitem(connection.settings_dict, "NAME", str(tmp_path / "db.sqlite3"))
    with import_lock("import_articles"):  # an import is running
        response = act(admin_client, ARTICLES, "reprocess", [article])
    (message,) = messages_of(response)
    assert message.startswith("没有重新清洗：another import is running (pid ")
    assert "Traceback" not in response.content.decode()
    assert imported.article.body_text == "stale"
    response = act(admin_client, ARTICLES, "reprocess", [article])  # the import has finished
    assert "更新 1 篇" in " ".join(messages_of(response))


def curation_attempts(article):
    """Every curation action, as (changelist, action, selection, form data)."""
    leaf = category_chain("编辑精选")
    attempts = [
        (ARTICLES, "publish", [article], {}),
        (ARTICLES, "unpublish", [article], {}),
        (ARTICLES, "add_categories", [article], {"categories": [leaf.pk]}),
        (ARTICLES, "remove_categories", [article], {"categories": [leaf.pk]}),
        (ARTICLES, "add_tags", [article], {"tags": "新标签"}),
        (ARTICLES, "remove_tags", [article], {"tags": "疫情"}),
        (ARTICLES, "reprocess", [article], {}),
    ]
    for model, field in ((Author, "author"), (Editor, "editor"), (Source, "source")):
        other = model.objects.create(name=f"另一个{field}", slug=f"other-{field}")
        url = reverse(f"admin:articles_{field}_changelist")
        attempts.append((url, "merge", [getattr(article, field), other], {"target": other.pk}))
    other = category_chain("另一个分类")
    url = reverse("admin:articles_category_changelist")
    attempts.append((url, "merge", [leaf, other], {"target": other.pk}))
    return attempts


def everything_about(article):
    article = Article.objects.get(pk=article.pk)
    return (
        state(article),
        article.body_html,
        article.edited_at,
        sorted(Category.objects.values_list("path", flat=True)),
        sorted(Author.objects.values_list("name", flat=True)),
        Version.objects.count(),
    )


@pytest.mark.parametrize(
    "perms",
    [
        ["view_article", "view_author", "view_editor", "view_source", "view_category"],
        # May change and delete authors and categories, but not articles: a merge re-files
        # articles, so it is refused too.
        [
            "view_article",
            *(f"{verb}_{model}" for verb in ("view", "change", "delete")
              for model in ("author", "editor", "source", "category")),
        ],
    ],
    ids=["view-only", "no-article-change"],
)
def test_staff_without_article_change_permission_can_run_no_curation_action(
    client, django_user_model, tmp_path, perms
):
    import_seed(tmp_path)
    article = Article.objects.get(source_path=REL)
    article.tags.add("疫情")
    client.force_login(staff_user(django_user_model, *perms))
    attempts = curation_attempts(article)
    before = everything_about(article)
    for url, action, objects, data in attempts:
        # Posted as if the action were offered, with its form already filled in.
        response = client.post(
            url,
            {"action": action, "_selected_action": [o.pk for o in objects], "apply": "1", **data},
            follow=True,
        )
        assert response.status_code == 200, action
        assert everything_about(article) == before, action


def test_previewing_a_draft_needs_the_article_permission(client, django_user_model):
    draft = make_article("草稿预览", status="draft")
    url = draft.get_absolute_url()
    user = staff_user(django_user_model)  # staff, but nothing about articles
    client.force_login(user)
    assert client.get(url).status_code == 404
    preview = reverse("admin:articles_article_preview", args=[draft.pk])
    assert client.post(preview, change_data(draft)).status_code == 403
    user.user_permissions.add(*Permission.objects.filter(codename="view_article"))
    page = client.get(url)
    assert page.status_code == 200 and "草稿预览" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    # Unsaved changes are previewed only by who could save them.
    assert client.post(preview, change_data(draft)).status_code == 403


# NUL is left out: Django's form fields refuse it with an error of their own.
FORBIDDEN = "\x0b\x0c\ufffe\x1f\x08"


def test_xml_forbidden_characters_saved_in_the_admin_never_break_a_feed(admin_client):
    article = make_article("原来的标题", author="新浪财经", tags=["疫情"])
    ArticleImage.objects.create(article=article, position=0, src="https://n.sinaimg.cn/a.jpg")
    data = change_data(
        article,
        title=f"标题{FORBIDDEN}带控制字符",
        excerpt=f"摘要{FORBIDDEN}",
        body_html=f"<p>正文{FORBIDDEN}第一段&#11;</p>",
        tags=f"标签{FORBIDDEN}",
    )
    data["images-0-caption"] = f"图片说明{FORBIDDEN}"
    url = reverse("admin:articles_article_change", args=[article.pk])
    assert admin_client.post(url, data).status_code == 302
    author_url = reverse("admin:articles_author_change", args=[article.author_id])
    admin_client.post(author_url, {"name": f"新浪{FORBIDDEN}财经", "slug": "xinlang"})
    stored = Article.objects.select_related("author").get(pk=article.pk)
    assert stored.title == "标题带控制字符"
    assert stored.excerpt == "摘要"
    assert stored.body_html == "<p>正文第一段</p>"
    assert stored.author.name == "新浪财经"
    assert list(stored.tags.names()) == ["标签"]
    assert stored.images.get().caption == "图片说明"
    reader = Client()
    for feed in (reverse("articles:feed_rss"), reverse("articles:feed_atom")):
        response = reader.get(feed)
        assert response.status_code == 200, feed
        assert "标题带控制字符" in response.content.decode()


def test_admin_save_stores_what_the_importer_stored(admin_client, tmp_path):
    """The one derive path: an unchanged imported article saved through the admin with its
    title and body retyped (spaces, decomposed characters) stores the importer's strings."""
    imported = import_seed(tmp_path)
    article = imported.article
    from_import = [getattr(article, name) for name in Article.DERIVED_FIELDS]
    retyped = change_data(
        article,
        title=f"  {article.title.replace(' ', chr(10))}  ",
        body_html=article.body_html,
        excerpt="",
    )
    url = reverse("admin:articles_article_change", args=[article.pk])
    assert admin_client.post(url, retyped).status_code == 302
    saved = imported.article
    assert [getattr(saved, name) for name in Article.DERIVED_FIELDS] == from_import
    assert saved.edited_at is not None  # the title was retyped: it is an edit
    again = content.derive(
        title=saved.title,
        body_html=saved.body_html,
        excerpt=saved.excerpt,
        original_title=saved.original_title,
    )
    assert [getattr(again, name) for name in Article.DERIVED_FIELDS] == from_import
    assert f"updated: {REL}" in run_import(tmp_path, "--force")[0]
    assert [getattr(imported.article, name) for name in Article.DERIVED_FIELDS] == from_import


def test_an_image_edited_on_its_own_page_is_an_edit(admin_client, tmp_path):
    imported = import_seed(tmp_path)
    image = imported.article.images.first()
    url = reverse("admin:articles_articleimage_change", args=[image.pk])
    data = {
        "article": image.article_id,
        "position": image.position,
        "src": image.src,
        "alt": "四平",
        "caption": "编辑写的说明",
    }
    assert admin_client.post(url, data).status_code == 302
    assert imported.article.edited_at is not None
    imported.change_a_line()
    assert f"kept: {REL}" in imported.reimport()
    assert imported.article.images.first().caption == "编辑写的说明"


def test_merge_needs_change_and_delete_there_and_change_on_articles(client, django_user_model):
    article = make_article("一", author="新浪")
    target = Author.objects.create(name="新浪网", slug="sina")
    codenames = ["view_author", "change_author", "delete_author", "view_article"]
    user = staff_user(django_user_model, *codenames)
    client.force_login(user)
    url = reverse("admin:articles_author_changelist")
    act(client, url, "merge", [article.author, target], apply="1", target=target.pk)
    assert Author.objects.count() == 2  # refused: no permission to change articles
    user.user_permissions.add(*Permission.objects.filter(codename="change_article"))
    act(client, url, "merge", [article.author, target], apply="1", target=target.pk)
    assert list(Author.objects.values_list("name", flat=True)) == ["新浪网"]
    assert Article.objects.get(pk=article.pk).author == target
