"""One content version for the whole site, stored in the database, that every write bumps.

Whatever is cached for readers (whole pages, feeds, navigation counts, neighbours) is keyed
on it, so a write is seen by the next request to any worker on any machine: an old entry is
never invalidated, it is simply no longer asked for and ages out. The row is read once per
request (RequestScopeMiddleware); writers bump it inside their own transaction, so a reader
who sees the new version also sees the new content.
"""

import secrets
from contextvars import ContextVar
from datetime import UTC

from django.db import connection, models
from django.utils import timezone
from django.utils.dateparse import parse_datetime

# One dict per request, holding the version once read; None outside a request (commands,
# the shell), where every call reads the row again.
_scope = ContextVar("content_version_scope", default=None)
ROW = 1


class ContentVersion(models.Model):
    """A single row: a random token replaced by every write, and when that happened.

    Random, not a counter: a database restored from a backup, or made anew next to a shared
    Redis, would otherwise count up through version numbers whose pages are still cached.
    """

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    class Meta:
        app_label = "articles"

    def __str__(self):
        return self.token


def bump():
    """Mark the published content as changed. Call it inside the writing transaction."""
    token, now = secrets.token_hex(8), timezone.now()
    if not ContentVersion.objects.filter(pk=ROW).update(token=token, changed_at=now):
        # The row is made by migration 0007; a flushed test database has lost it.
        ContentVersion.objects.update_or_create(
            pk=ROW, defaults={"token": token, "changed_at": now}
        )


def read():
    """(token, changed_at) as committed now.

    Plain SQL because every request runs it: building the same query through the ORM cost
    more than ten times what the database took to answer it.
    """
    table = connection.ops.quote_name(ContentVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token, changed_at FROM {table} WHERE id = %s", [ROW])  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        return "0", None
    token, changed = row
    if isinstance(changed, str):  # SQLite hands back the stored text
        changed = parse_datetime(changed)
    if timezone.is_naive(changed):  # stored in UTC, as Django does with USE_TZ
        changed = timezone.make_aware(changed, UTC)
    return token, changed


def current():
    """The version token, read at most once per request."""
    return _current()[0]


def changed_at():
    """When the content last changed (None before the first write)."""
    return _current()[1]


def _current():
    scope = _scope.get()
    if scope is None:
        return read()
    if "version" not in scope:
        scope["version"] = read()
    return scope["version"]


class RequestScopeMiddleware:
    """Each request reads the version at most once, and never keeps it for the next one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _scope.set({})
        try:
            return self.get_response(request)
        finally:
            _scope.reset(token)
