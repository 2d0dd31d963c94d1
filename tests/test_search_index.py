"""Keeping the index in step with the articles: update_index, deletion, rebuild_search_index."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import search, tokens
from articles.models import Article
from tests.factories import category_chain, make_article

pytestmark = pytest.mark.django_db


def titles(q):
    return list(Article.objects.search(q, include_unpublished=True).values_list("title", flat=True))


def index_rows():
    """Entries in the index; on SQLite the key table must have as many, each its entry's."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT (SELECT count(*) FROM articles_search),"
                " (SELECT count(*) FROM articles_search_key),"
                " (SELECT count(*) FROM articles_search s"
                "  JOIN articles_search_key k ON k.key = s.rowid AND k.article_id = s.rowid & %s)",
                [search.index.ID_MASK],
            )
            full, keys, joined = cursor.fetchone()
            assert full == keys == joined
        else:
            cursor.execute("SELECT count(search_document) FROM articles_article")
            (full,) = cursor.fetchone()
    return full


def test_tokenizer():
    assert tokens.tokenize("景俊海说：AI裁判、ＧＤＰ和2022年") == [
        "景俊", "俊海", "海说", "说", "ai", "裁判", "判", "gdp", "和", "2022", "年",
    ]  # fmt: skip
    assert tokens.tokenize("，。!? ") == []
    assert tokens.tokenize("x" * 65) == []  # hashes and base64 are not words


def test_unindexed_articles_are_not_found_until_indexed():
    article = make_article("景俊海调研")
    assert titles("景俊海") == []
    assert search.update_index([article.pk]) == 1
    assert titles("景俊海") == ["景俊海调研"]


def test_update_index_is_idempotent_and_follows_changes():
    article = make_article("旧标题", body_html="<p>正文</p>", body_text="正文")
    search.update_index([article.pk])
    search.update_index([article.pk, article.pk])
    assert index_rows() == 1
    Article.objects.filter(pk=article.pk).update(title="新标题")
    search.update_index([article.pk])
    assert titles("旧标题") == []
    assert titles("新标题") == ["新标题"]
    assert index_rows() == 1


def test_names_categories_and_tags_are_indexed():
    article = make_article(
        "标题",
        author="新浪财经",
        editor="王珊珊",
        source="吉林日报",
        categories=[category_chain("金融", "国内")],
        tags=["元宇宙"],
        original_title="原来的题目",
    )
    search.update_index([article.pk])
    for q in ("新浪财经", "王珊珊", "吉林日报", "国内", "元宇宙", "原来的题目"):
        assert titles(q) == ["标题"], q


def test_deleting_an_article_removes_its_entry():
    kept, deleted = make_article("保留的文章", slug="kept"), make_article("删除的文章", slug="gone")
    search.update_index([kept.pk, deleted.pk])
    deleted.delete()
    # On SQLite a trigger does this; a later migration that rebuilds articles_article would
    # drop it, and this test would say so.
    assert index_rows() == 1
    assert titles("文章") == ["保留的文章"]


def test_ids_that_no_longer_exist_are_dropped():
    article = make_article("文章")
    search.update_index([article.pk])
    Article.objects.filter(pk=article.pk).delete()
    search.update_index([article.pk, 123456])
    assert index_rows() == 0


def test_update_index_queries_do_not_grow_with_the_batch():
    category = category_chain("金融")

    def make_batch(prefix, n):
        return [
            make_article(
                f"{prefix}{i}", categories=[category], tags=["t"], author=f"作者{prefix}{i}"
            ).pk
            for i in range(n)
        ]

    small, large = make_batch("小", 2), make_batch("大", 40)
    with CaptureQueriesContext(connection) as few:
        search.update_index(small)
    with CaptureQueriesContext(connection) as many:
        search.update_index(large)
    # 3 to read, 3 for the facets (SQLite), 2 + 2 to replace key and entry, savepoints
    assert len(many) == len(few) <= 13


def test_rebuild_command_indexes_everything_with_progress():
    articles = [make_article(f"疫情通报{i}", slug=f"a{i}") for i in range(5)]
    search.update_index([articles[0].pk])
    out = StringIO()
    call_command("rebuild_search_index", "--batch-size", "2", stdout=out)
    assert index_rows() == 5
    assert len(titles("疫情")) == 5
    output = out.getvalue()
    assert "5/5" in output  # the tqdm bar
    assert output.rstrip().splitlines()[-1].startswith("Indexed 5 articles in ")


def test_rebuild_command_quiet():
    make_article("文章")
    out = StringIO()
    call_command("rebuild_search_index", verbosity=0, stdout=out)
    assert "5/5" not in out.getvalue() and "|" not in out.getvalue()
    assert index_rows() == 1


def index_entries():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT s.rowid, s.title, s.meta, s.body, s.facets FROM articles_search s"
                " ORDER BY s.rowid"
            )
        else:
            cursor.execute("SELECT id, search_document::text FROM articles_article ORDER BY id")
        return cursor.fetchall()


def test_importer_writes_the_same_entries_as_update_index(tmp_path):
    # The importer's workers tokenize while parsing; the admin path tokenizes from the rows.
    # Both must give the same index, or a search finds an article only until its next edit.
    from tests.conftest import SEEDS
    from tests.importing import post, run_import, write

    write(
        tmp_path, "tagged.md", post("带标签的文章").replace("author:", "tags: [GDP, 疫情]\nauthor:")
    )
    for seed in SEEDS.iterdir():
        write(tmp_path, seed.name, seed.read_text(encoding="utf-8"))
    run_import(tmp_path)
    imported = index_entries()
    assert len(imported) == Article.objects.count() == 3
    if connection.vendor == "sqlite":  # every level of each file's categories, its author
        links = Article.categories.through.objects.count()
        assert sum(len(row[4].split()) for row in imported) >= links + 3
    search.update_index(Article.objects.values_list("pk", flat=True))
    assert index_entries() == imported
    assert titles("疫情") and titles("gdp") == ["带标签的文章"]


def test_the_key_follows_the_publication_time(tmp_path):
    # The index is read newest first by its key; an edit that moves the publication time must
    # move the entry, and the importer, an edit (update_index) and a deletion keep one entry.
    from tests.importing import post, run_import, write

    write(tmp_path, "a.md", post("鸭嘴兽登陆月球", body="探测器着陆。"))
    write(tmp_path, "b.md", post("其他新闻", body="鸭嘴兽登陆月球的消息。"))
    run_import(tmp_path)
    assert index_rows() == 2
    article = Article.objects.get(title="鸭嘴兽登陆月球")
    other = Article.objects.get(title="其他新闻")
    for moved, expected in ((article, "鸭嘴兽登陆月球"), (other, "其他新闻")):
        Article.objects.filter(pk=moved.pk).update(published_at=datetime(2030, 1, 1, tzinfo=UTC))
        Article.objects.exclude(pk=moved.pk).update(published_at=datetime(2020, 1, 1, tzinfo=UTC))
        search.update_index([article.pk, other.pk])  # what every editorial change does
        assert index_rows() == 2
        page = Article.objects.search("鸭嘴兽", include_unpublished=True)[:10]
        assert page[0].title == expected
    Article.objects.filter(pk=article.pk).delete()  # the SQLite trigger, or the row itself
    assert index_rows() == 1
    assert titles("鸭嘴兽") == ["其他新闻"]
