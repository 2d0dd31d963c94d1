"""The search index keyed by publication time, with traditional characters folded.

SQLite: articles_search's rowid becomes (publication second << 30) | id (articles/search/
index.py), so FTS5 reads a query's matches newest first; articles_search_key keeps each
article's key, and the delete trigger removes the entry through it. The title index of 0005 is
dropped: the best-match order is FTS5's bm25 with the title weighted.
PostgreSQL: search_title and its index are dropped likewise; search_document is compressed with
lz4, which PostgreSQL unpacks several times faster than its own pglz when it rechecks phrases.

An index on (id, status, published_at, publish_start, publish_end, author, source) lets the
search check each match against the reader's filters without reading the article's row.

The tokens changed too (traditional characters folded to simplified ones, a barrier between
names), so every entry is written again (as `manage.py rebuild_search_index` does).
"""

from django.db import migrations, models

SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS articles_search_title_delete",
    "DROP TABLE IF EXISTS articles_search_title",
    "DROP TRIGGER IF EXISTS articles_search_delete",
    "DELETE FROM articles_search",
    "CREATE TABLE articles_search_key (article_id INTEGER PRIMARY KEY, key INTEGER NOT NULL)",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS articles_search_delete",
    "DROP TABLE IF EXISTS articles_search_key",
    "DELETE FROM articles_search",
    """CREATE VIRTUAL TABLE articles_search_title USING fts5(
        title, tokenize = 'ascii', prefix = '1'
    )""",
    """CREATE TRIGGER IF NOT EXISTS articles_search_title_delete AFTER DELETE ON articles_article
    BEGIN DELETE FROM articles_search_title WHERE rowid = old.id; END""",
    """CREATE TRIGGER IF NOT EXISTS articles_search_delete AFTER DELETE ON articles_article
    BEGIN DELETE FROM articles_search WHERE rowid = old.id; END""",
]
POSTGRESQL_FORWARD = [
    "DROP INDEX IF EXISTS articles_article_search_title_gin",
    "ALTER TABLE articles_article DROP COLUMN IF EXISTS search_title",
    "ALTER TABLE articles_article ALTER COLUMN search_document SET COMPRESSION lz4",
]
POSTGRESQL_BACKWARD = [
    "ALTER TABLE articles_article ADD COLUMN search_title tsvector",
    "CREATE INDEX articles_article_search_title_gin ON articles_article USING gin (search_title)",
]


def run(statements_by_vendor, rebuild):
    def operation(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)
        if schema_editor.connection.vendor == "sqlite":
            from articles.search.index import SQLITE_DELETE_TRIGGER

            if rebuild:
                schema_editor.execute(SQLITE_DELETE_TRIGGER)
        if rebuild and apps.get_model("articles", "Article").objects.exists():
            from articles.search import rebuild_index

            rebuild_index()

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_article_source_root"),
    ]

    operations = [
        # The search reads its filters' columns from this index, never the article rows.
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=[
                    "id", "status", "published_at", "publish_start", "publish_end", "author",
                    "source",
                ],
                name="article_search_check",
            ),
        ),
        migrations.RunPython(
            run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}, rebuild=True),
            run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}, rebuild=False),
            elidable=False,
        ),
    ]
