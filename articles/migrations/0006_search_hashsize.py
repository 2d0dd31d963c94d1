"""Let the full-text index hold a whole import transaction in memory (SQLite only).

FTS5 gathers new entries in an in-memory hash and writes them out as a new index segment when
the hash passes its 'hashsize' (1 MB by default) and at every commit; segments are then merged
again and again as they pile up. An import transaction of a thousand articles filled that
megabyte several times over, so it wrote many small segments and merged them: with a 64 MB
limit it writes one. Inserting the 10,000-file benchmark's index entries in 1,000-article
transactions took 0.52-0.60 ms a file with it, 0.76 without.
The memory is taken only as an import fills it; an editor's single edit uses a few KB.

'hashsize' is kept in the FTS5 table's own config table, so it lasts; PostgreSQL has nothing
like it to set.
"""

from django.db import migrations

HASH_BYTES = 64 * 1024 * 1024
FTS5_DEFAULT_HASH_BYTES = 1024 * 1024


def set_hashsize(size):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(
                "INSERT INTO articles_search (articles_search, rank) VALUES ('hashsize', %s)",
                [size],
            )

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_search_title"),
    ]

    operations = [
        migrations.RunPython(
            set_hashsize(HASH_BYTES), set_hashsize(FTS5_DEFAULT_HASH_BYTES), elidable=False
        ),
    ]
