"""Every SQLite index entry is written again so that its facets column carries the RESTRICTED
token where the article's visibility is more than its publication time (a draft, a publish
window: articles/search/index.py); counts then look up only those articles' rows. As
`manage.py rebuild_search_index` does. PostgreSQL's index does not change.
"""

from django.db import migrations


def rebuild(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    if apps.get_model("articles", "Article").objects.exists():
        from articles.search.index import rebuild_index

        rebuild_index()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_search_facets"),
    ]

    operations = [
        # Going back needs nothing: the code before this ignores the token.
        migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=False),
    ]
