"""Nothing an editor does is lost: every admin change survives a re-import of a changed file.

Each editorial action is run through the admin on an article imported from a real crawled
file; then one line of the file changes and it is imported again (the article must be
reported `kept` and keep the change), then imported with --force (the file wins) and the
article's latest revision is restored from its history (the change, tags and categories
included, comes back). The article page's ETag and Last-Modified and the sitemap's lastmod
must move with every change.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.cache_version import ContentVersion
from articles.models import Article, Author, Category, Editor, Source

from .admin_helpers import browser_form_data, change_data
from .conftest import SEEDS
from .factories import category_chain
from .importing import run_import, write

pytestmark = pytest.mark.django_db

# A real Sina Finance crawl (fixtures/posts); the tag line is added so removing a tag can be
# tried, as the crawler writes tags for other feeds.
SEED = SEEDS / "002_8ef881cf10f448ae.txt"
REL = "jilin/002.md"
ARTICLES = reverse("admin:articles_article_changelist")
CHANGED_LINE = ("3月23日，省委书记景俊海", "3月23日上午，省委书记景俊海")


@dataclass
class Imported:
    folder: Path
    path: Path

    @property
    def article(self):
        return Article.objects.get(source_path=REL)

    def change_a_line(self):
        text = self.path.read_text(encoding="utf-8")
        assert CHANGED_LINE[0] in text
        self.path.write_text(text.replace(*CHANGED_LINE), encoding="utf-8")

    def reimport(self, *flags):
        out, err, failed = run_import(self.folder, *flags)
        assert not failed, err
        return out


def seed_text(published=True):
    text = SEED.read_text(encoding="utf-8")
    extra = "tags:\n - 疫情防控\n - 吉林\n" + ("" if published else "published: false\n")
    return text.replace("comments: false\n", "comments: false\n" + extra, 1)


def import_seed(folder, published=True):
    path = write(folder, REL, seed_text(published))
    out, err, failed = run_import(folder)
    assert f"created: {REL}" in out and not failed, err
    # Imported yesterday: a change made now must move Last-Modified, which has whole seconds.
    yesterday = timezone.now() - timedelta(days=1)
    Article.objects.filter(source_path=REL).update(imported_at=yesterday)
    ContentVersion.objects.update(changed_at=yesterday)
    return Imported(folder, path)


def public_state(article):
    """(status code, ETag, Last-Modified, sitemap lastmod) as a reader and a crawler see them."""
    reader = Client()
    page = reader.get(article.get_absolute_url())
    sitemap = reader.get(reverse("sitemap")).content.decode()
    found = re.search(
        re.escape(article.get_absolute_url()) + r"</loc><lastmod>([^<]+)</lastmod>", sitemap
    )
    return (
        page.status_code,
        page.headers.get("ETag"),
        page.headers.get("Last-Modified"),
        found.group(1) if found else None,
    )


def assert_moved(before, after):
    """Every public signal of the page changed (or the page went/came, for a takedown)."""
    assert before != after
    if before[0] == after[0] == 200:
        assert before[1] != after[1], "ETag"
        assert before[2] != after[2], "Last-Modified"
        assert before[3] != after[3], "sitemap lastmod"
    else:
        assert {before[0], after[0]} == {200, 404}
        assert (before[3] is None) != (after[3] is None)  # listed in the sitemap iff public


def act(client, url, action, objects, **data):
    response = client.post(
        url, {"action": action, "_selected_action": [o.pk for o in objects], **data}, follow=True
    )
    assert response.status_code == 200
    return response


def names(article, relation):
    return sorted(str(o) for o in getattr(article, relation).all())


def restore_latest(client, article):
    """Restore the article's newest revision the way an editor does: open it from the
    history, then save the form the revision page shows."""
    version = Version.objects.get_for_object(article).first()
    url = reverse("admin:articles_article_revision", args=[article.pk, version.pk])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, browser_form_data(page.content.decode()))
    assert response.status_code == 302, response.context and response.context["errors"]


# Each action: (what the file must say, how an editor does it, what the change is).
def admin_save(client, article):
    response = client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        change_data(article, title="编辑改写的标题", tags="吉林, 编辑加的标签"),
    )
    assert response.status_code == 302


def publish(client, article):
    act(client, ARTICLES, "publish", [article])


def unpublish(client, article):
    act(client, ARTICLES, "unpublish", [article])


def add_categories(client, article):
    leaf = category_chain("编辑精选", "吉林专题")
    act(client, ARTICLES, "add_categories", [article], apply="1", categories=[leaf.pk])


def remove_categories(client, article):
    root = Category.objects.get(name="金融", parent=None)
    act(client, ARTICLES, "remove_categories", [article], apply="1", categories=[root.pk])


def add_tags(client, article):
    act(client, ARTICLES, "add_tags", [article], apply="1", tags="编辑加的标签")


def remove_tags(client, article):
    act(client, ARTICLES, "remove_tags", [article], apply="1", tags="疫情防控")


def merger(model, field, name):
    def merge(client, article):
        target = model.objects.create(name=name, slug=name)
        url = reverse(f"admin:articles_{model._meta.model_name}_changelist")
        act(client, url, "merge", [getattr(article, field), target], apply="1", target=target.pk)

    return merge


def merge_category(client, article):
    leaf = article.categories.get(name="新浪财经－国內")
    target = category_chain("国内新闻")
    url = reverse("admin:articles_category_changelist")
    act(client, url, "merge", [leaf, target], apply="1", target=target.pk)


def revert_revision(client, article):
    url = reverse("admin:articles_article_change", args=[article.pk])
    client.post(url, change_data(article, title="第一次改的标题", tags="第一次的标签"))
    article.refresh_from_db()
    client.post(url, change_data(article, title="第二次改的标题", tags="第二次的标签"))
    older = list(Version.objects.get_for_object(article))[1]
    revision = reverse("admin:articles_article_revision", args=[article.pk, older.pk])
    page = client.get(revision)
    assert client.post(revision, browser_form_data(page.content.decode())).status_code == 302


def edit_image(client, article):
    data = change_data(article)
    data["images-0-alt"] = "四平伊通县"
    data["images-0-caption"] = "编辑写的图片说明"
    url = reverse("admin:articles_article_change", args=[article.pk])
    assert client.post(url, data).status_code == 302


def state(article):
    """What an editor can change, read back from the database."""
    article = Article.objects.select_related("author", "editor", "source").get(pk=article.pk)
    return {
        "title": article.title,
        "status": article.status,
        "author": str(article.author),
        "editor": str(article.editor),
        "source": str(article.source),
        "categories": names(article, "categories"),
        "tags": sorted(article.tags.names()),
        "images": [(i.alt, i.caption) for i in article.images.all()],
    }


ACTIONS = {
    "admin_save": (True, admin_save),
    "publish": (False, publish),
    "unpublish": (True, unpublish),
    "add_categories": (True, add_categories),
    "remove_categories": (True, remove_categories),
    "add_tags": (True, add_tags),
    "remove_tags": (True, remove_tags),
    "merge_author": (True, merger(Author, "author", "新浪财经综合")),
    "merge_editor": (True, merger(Editor, "editor", "王蒙（编辑）")),
    "merge_source": (True, merger(Source, "source", "吉林日报社")),
    "merge_category": (True, merge_category),
    "revert_revision": (True, revert_revision),
    "edit_image": (True, edit_image),
}


@pytest.mark.parametrize("name", ACTIONS)
def test_change_survives_reimport_and_force_can_be_undone(admin_client, tmp_path, name):
    published, action = ACTIONS[name]
    imported = import_seed(tmp_path, published)
    article = imported.article
    from_file, seen_before = state(article), public_state(article)

    action(admin_client, article)
    edited = state(article)
    assert edited != from_file, "the action changed nothing"
    assert imported.article.edited_at is not None
    assert_moved(seen_before, public_state(imported.article))
    revisions = Version.objects.get_for_object(article).count()
    assert revisions >= 1

    imported.change_a_line()
    out = imported.reimport()
    assert f"kept: {REL}" in out and "1 kept" in out
    assert state(article) == edited
    assert "3月23日，省委书记景俊海" in imported.article.body_text  # the file's change waits

    out = imported.reimport("--force")
    assert f"updated: {REL}" in out
    assert state(article) == from_file  # by name: a merged-away row is made again
    assert imported.article.edited_at is None
    assert "3月23日上午，省委书记景俊海" in imported.article.body_text

    restore_latest(admin_client, imported.article)
    assert state(article) == edited  # tags, categories and images included
    assert imported.article.edited_at is not None
    assert Version.objects.get_for_object(article).count() == revisions + 1
