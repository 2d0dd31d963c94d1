"""System checks: the static files gunicorn will be asked for exist (a production start), and
the SQLite library answers the search's newest-first scans correctly."""

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.checks import Error, Tags, Warning, register
from django.db import connections

from newsarchive.sqlite_library import VERIFIED


@register(Tags.staticfiles, deploy=True)
def static_manifest_collected(app_configs, **kwargs):
    # With DEBUG off every {% static %} is looked up in collectstatic's manifest; without it
    # every page is a 500. A checkout that ran collectstatic with DEBUG on has no manifest.
    storage = staticfiles_storage
    if settings.DEBUG or not isinstance(storage, ManifestFilesMixin):
        return []
    if storage.exists(storage.manifest_name):
        return []
    return [
        Error(
            f"{storage.manifest_name} is missing from {settings.STATIC_ROOT}: every page would "
            "fail with DEBUG off.",
            hint="Run `python manage.py collectstatic --noinput` with the production settings "
            "(scripts/serve.sh does).",
            id="newsarchive.E001",
        )
    ]


@register(Tags.compatibility)
def sqlite_library_answers_newest_first(app_configs, **kwargs):
    # The library's version is a module attribute: no database is opened.
    found = []
    for alias in connections:
        connection = connections[alias]
        if connection.vendor != "sqlite":
            continue
        version = connection.Database.sqlite_version_info
        if version < VERIFIED:
            found.append(
                Warning(
                    f"Database {alias!r} runs on SQLite {connection.Database.sqlite_version},"
                    " older than the "
                    + ".".join(map(str, VERIFIED))
                    + " the search was verified on: 3.40.1's FTS5 skips matches in the newest-"
                    "first scans of a large index, so search pages can miss articles.",
                    hint="Install pysqlite3-binary (requirements.txt), whose bundled SQLite "
                    "newsarchive/sqlite_library.py puts in place of the system's.",
                    id="newsarchive.W002",
                )
            )
    return found
