"""The full-text index of articles/search.py, in the form each database supports.

SQLite: an FTS5 table over pre-tokenized text (rowid = article id). The 'ascii' tokenizer
splits only on ASCII spaces and punctuation, so our CJK bigrams reach the index untouched;
prefix='1' indexes first characters, which one-character queries use. A trigger removes the
entry with its article, whoever deletes it.

PostgreSQL: a tsvector column on articles_article with a GIN index. It lives on the article
row so it goes with it, and Django's flush/TRUNCATE never meets an unknown foreign key.

Neither is a Django model field, so the migration state does not change.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE articles_search USING fts5(
        title, meta, body, tokenize = 'ascii', prefix = '1'
    )""",
    """CREATE TRIGGER IF NOT EXISTS articles_search_delete AFTER DELETE ON articles_article
    BEGIN DELETE FROM articles_search WHERE rowid = old.id; END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS articles_search_delete",
    "DROP TABLE IF EXISTS articles_search",
]
POSTGRESQL_FORWARD = [
    "ALTER TABLE articles_article ADD COLUMN search_document tsvector",
    "CREATE INDEX articles_article_search_gin ON articles_article USING gin (search_document)",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS articles_article_search_gin",
    "ALTER TABLE articles_article DROP COLUMN IF EXISTS search_document",
]


def run(statements_by_vendor):
    def operation(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
            elidable=False,
        ),
    ]
