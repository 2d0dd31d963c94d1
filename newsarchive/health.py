"""/healthz for load balancers and monitors: is the database reachable, is the cache?

Answers 200 when both are, 503 otherwise. It names only what failed and the exception's class:
an error message can carry a host name or a DSN, and this page is public.
"""

import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache():
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return what was stored")
    cache.delete(key)


CHECKS = {"database": _database, "cache": _cache}


@never_cache
def healthz(request):
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:
            results[name] = f"error: {type(error).__name__}"
        else:
            results[name] = "ok"
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **results}, status=200 if healthy else 503
    )
