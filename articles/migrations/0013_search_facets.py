"""The SQLite search index gains a facets column (articles/search/index.py): a token for each
category an article is filed in or below, its author and its source, so that the search page's
filters narrow a query inside FTS5. An FTS5 table cannot gain a column, so it is created again,
with 0006's hashsize and 0011's delete trigger, and every entry is written again (as
`manage.py rebuild_search_index` does). PostgreSQL's index does not change.
"""

from django.db import migrations

HASH_BYTES = 64 * 1024 * 1024  # as 0006 set it


def table(columns):
    return [
        "DROP TRIGGER IF EXISTS articles_search_delete",
        "DROP TABLE IF EXISTS articles_search",
        "DELETE FROM articles_search_key",
        f"""CREATE VIRTUAL TABLE articles_search USING fts5(
            {columns}, tokenize = 'ascii', prefix = '1'
        )""",
        f"INSERT INTO articles_search (articles_search, rank) VALUES ('hashsize', {HASH_BYTES})",
    ]


def recreate(columns, rebuild):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        for statement in table(columns):
            schema_editor.execute(statement)
        from articles.search.index import SQLITE_DELETE_TRIGGER, rebuild_index

        schema_editor.execute(SQLITE_DELETE_TRIGGER)
        if rebuild and apps.get_model("articles", "Article").objects.exists():
            rebuild_index()

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_old_addresses"),
    ]

    operations = [
        migrations.RunPython(
            recreate("title, meta, body, facets", rebuild=True),
            # Going back, the index is left empty: the code of 0012 writes its own entries
            # (manage.py rebuild_search_index).
            recreate("title, meta, body", rebuild=False),
            elidable=False,
        ),
    ]
