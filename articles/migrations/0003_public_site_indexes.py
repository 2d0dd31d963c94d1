"""Indexes for the public site's lists (see Article.Meta.indexes and in_category()).

The category index is on Django's auto-created link table, which has no model to declare
it on: (category_id, article_id) lets a category page collect its article ids from the
index alone instead of visiting one link row per article.
"""

from django.db import migrations, models

LINK_INDEX = "articles_article_categories_category_article"


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_search_index"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="article",
            name="article_status_published",
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["status", "published_at", "id", "publish_start", "publish_end"],
                name="article_public_listing",
            ),
        ),
        migrations.RunSQL(
            f"CREATE INDEX {LINK_INDEX} ON articles_article_categories (category_id, article_id)",
            f"DROP INDEX {LINK_INDEX}",
        ),
    ]
