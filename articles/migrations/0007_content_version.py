# The one row every cached page, feed and navigation count is keyed on (articles.cache_version).

import secrets

from django.db import migrations, models
from django.utils import timezone


def first_version(apps, schema_editor):
    apps.get_model("articles", "ContentVersion").objects.create(
        pk=1, token=secrets.token_hex(8), changed_at=timezone.now()
    )


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0006_search_hashsize'),
    ]

    operations = [
        migrations.CreateModel(
            name='ContentVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token', models.CharField(max_length=32)),
                ('changed_at', models.DateTimeField()),
            ],
        ),
        migrations.RunPython(first_version, migrations.RunPython.noop),
    ]
