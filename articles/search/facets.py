"""Counts of a search's matches by top-level category, source, author and year.

Each count is over every match (not a page of them), so the cost grows with the matches:
bench/search_bench.py measures it.
"""

import hashlib
from datetime import datetime

from django.core.cache import cache
from django.db.models import Case, Count, F, IntegerField, Max, Min, Value, When
from django.db.models.functions import Left, StrIndex
from django.utils import timezone

from .. import cache_version
from ..models import Article, Category

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


def _roots(matches):
    links = Article.categories.through.objects.filter(article_id__in=matches.values("pk"))
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


def facets(results):
    """{"category": [(name, slug_path, n)], "source"/"author": [(name, slug, n)],
    "year": [(year, n)]} for a search's results (any filters already applied)."""
    matches = Article.objects.filter(pk__in=results.order_by().values("pk"))
    return {
        "category": _roots(matches),
        "source": _named(matches, "source"),
        "author": _named(matches, "author"),
        "year": _years(matches),
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
