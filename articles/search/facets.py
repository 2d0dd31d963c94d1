"""Counts of a search's matches by top-level category, source, author and year.

Each count is over every match (not a page of them), so the cost grows with the matches:
bench/search_bench.py measures it.
"""

import hashlib
import json
from bisect import bisect_left
from datetime import datetime

from django.core.cache import cache
from django.db.models import Case, Count, F, IntegerField, Max, Min, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Left, StrIndex
from django.utils import timezone

from .. import cache_version
from ..models import Article, Category
from .index import ID_BITS, ID_MASK

FACET_SIZE = 10  # values shown per facet, most matches first
# Publish windows open and close without a write, so a cached count lives a minute at most.
CACHE_SECONDS = 60


def _named(matches, field):
    rows = (
        matches.exclude(**{f"{field}__isnull": True})
        .values(f"{field}__name", f"{field}__slug")
        .annotate(n=Count("pk"))
        .order_by("-n", f"{field}__name")[:FACET_SIZE]
    )
    return [(row[f"{field}__name"], row[f"{field}__slug"], row["n"]) for row in rows]


def _roots(matches, among):
    links = Article.categories.through.objects.filter(article_id__in=among)
    path = F("category__slug_path")
    root = Case(
        When(category__depth=0, then=path),
        default=Left(path, StrIndex(path, Value("/")) - 1),
    )
    rows = list(
        links.annotate(root=root)
        .values("root")
        .annotate(n=Count("article_id", distinct=True))
        .order_by("-n", "root")[:FACET_SIZE]
    )
    names = dict(
        Category.objects.filter(slug_path__in=[row["root"] for row in rows]).values_list(
            "slug_path", "name"
        )
    )
    return [(names.get(row["root"], row["root"]), row["root"], row["n"]) for row in rows]


def _years(matches):
    """Years in the site's time zone, by comparing with each new year's midnight: SQLite
    would call a Python function for every match to extract the year."""
    span = Article.objects.aggregate(first=Min("published_at"), last=Max("published_at"))
    if span["first"] is None:
        return []
    first, last = (timezone.localtime(span[end]).year for end in ("first", "last"))
    new_years = [
        (year, timezone.make_aware(datetime(year + 1, 1, 1))) for year in range(first, last)
    ]
    year = Case(
        *(When(published_at__lt=midnight, then=Value(y)) for y, midnight in new_years),
        default=Value(last),
        output_field=IntegerField(),
    )
    rows = matches.annotate(year=year).values("year").annotate(n=Count("pk")).order_by("-year")
    return [(row["year"], row["n"]) for row in rows]


def _years_from_keys(keys):
    """Years of the matches from their index keys (the publication second is the key's high
    part), by the site's time zone: no article row is read."""
    if not keys:
        return []
    seconds = sorted(key >> ID_BITS for key in keys)
    first = datetime.fromtimestamp(seconds[0], tz=timezone.get_current_timezone()).year
    last = datetime.fromtimestamp(seconds[-1], tz=timezone.get_current_timezone()).year
    counts, start = [], 0
    for year in range(first, last + 1):
        midnight = timezone.make_aware(datetime(year + 1, 1, 1)).timestamp()
        end = bisect_left(seconds, midnight)
        if end > start:
            counts.append((year, end - start))
        start = end
    return counts[::-1]


def facets(results):
    """{"category": [(name, slug_path, n)], "source"/"author": [(name, slug, n)],
    "year": [(year, n)]} for a search's results (any filters already applied).

    On SQLite the matches are read once from the full-text index (their keys carry the
    publication time); the counts then look up only the columns they group by.
    """
    keys = results.match_keys()
    if keys is None:
        among = results.order_by().values("pk")
        matches = Article.objects.filter(pk__in=among)
        years = _years(matches)
    else:
        among = RawSQL("SELECT value FROM json_each(%s)", [json.dumps([k & ID_MASK for k in keys])])
        matches = Article.objects.filter(pk__in=among)
        years = _years_from_keys(keys)
    return {
        "category": _roots(matches, among),
        "source": _named(matches, "source"),
        "author": _named(matches, "author"),
        "year": years,
    }


def cached_facets(results, key):
    """facets(results), cached under `key` (what the query and filters are) for the current
    content version: every import commit and editorial change moves it."""
    digest = hashlib.sha256(key.encode()).hexdigest()
    cache_key = f"search-facets:{cache_version.current()}:{digest}"
    found = cache.get(cache_key)
    if found is None:
        found = facets(results)
        cache.set(cache_key, found, CACHE_SECONDS)
    return found
