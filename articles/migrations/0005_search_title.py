"""A small index of the titles alone, for search()'s title-only candidate scan.

Restricting a phrase to the title inside the full index (FTS5 `title : "..."`, a tsquery with
weight 'A') makes the database read the whole position lists of its tokens, or on PostgreSQL
unpack every row's search_document, because a GIN index cannot check weights: 13-40 ms at
100,000 articles on SQLite, 160-360 ms at 20,000 on PostgreSQL (bench/search_bench.py).

SQLite: a second FTS5 table articles_search_title(title), rowid = article id, with the options
of articles_search (0002), and its own delete trigger. PostgreSQL: a tsvector column
search_title on articles_article with its own GIN index.

Both are filled from the existing index (no re-tokenizing): FTS5 keeps each entry's title
text, and the title's lexemes are the weight-'A' ones of search_document. Neither is a Django
model field, so the migration state does not change.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE articles_search_title USING fts5(
        title, tokenize = 'ascii', prefix = '1'
    )""",
    """CREATE TRIGGER IF NOT EXISTS articles_search_title_delete AFTER DELETE ON articles_article
    BEGIN DELETE FROM articles_search_title WHERE rowid = old.id; END""",
    "INSERT INTO articles_search_title (rowid, title) SELECT rowid, title FROM articles_search",
    "INSERT INTO articles_search_title (articles_search_title) VALUES ('optimize')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS articles_search_title_delete",
    "DROP TABLE IF EXISTS articles_search_title",
]
POSTGRESQL_FORWARD = [
    "ALTER TABLE articles_article ADD COLUMN search_title tsvector",
    # ts_filter keeps the title's lexemes with their positions: what search._tsvector writes.
    "UPDATE articles_article SET search_title = ts_filter(search_document, '{a}')"
    " WHERE search_document IS NOT NULL",
    "CREATE INDEX articles_article_search_title_gin ON articles_article USING gin (search_title)",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS articles_article_search_title_gin",
    "ALTER TABLE articles_article DROP COLUMN IF EXISTS search_title",
]


def run(statements_by_vendor):
    def operation(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_source_stat"),
    ]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
            elidable=False,
        ),
    ]
