"""Benchmark the search page's queries, and check every result against a substring oracle.

    nice .venv/bin/python bench/search_bench.py --count 100000
    DATABASE_URL=postgres://... nice .venv/bin/python bench/search_bench.py --count 100000

Generates the corpus with ../shared/tools/make_corpus.py (skipped when it is already there),
loads it into a separate database with bulk_create (front matter and body parsed here, simply:
the importer is not needed to measure search; filed at every level of the category chain as
the importer files; every 50th a draft, every 89th with a closed publish window and every 97th
dated a month ahead, articles readers must not find), rebuilds the index, then runs 200
queries drawn from the corpus text (tests/search_oracle.draw_queries: 1-, 2-, 3- and
4-6-character terms, phrases, two terms, negations, traditional spellings, Latin words; every
fifth one filtered by a category (top-level or below), every seventh by a date range, every
eleventh by an author). Each query is what the results page runs: the count (exact up to
10,000) and the first page of 20, newest first; the best-match order and the facets are timed
apart.

The oracle is tests/search_oracle.py's definition as SQL: each article's fields folded (NFKC,
case, traditional to simplified) into one text column of a table of its own, scanned with
instr()/strpos() for every term. For every query the bench checks that the search's whole
result set (read page by page) equals the oracle's, its count too, and that the first page is
the oracle's newest 20; it prints the speed-up over the oracle measured in the same run.

The database is DATABASE_URL if set, else a throwaway SQLite file; never the site's db.sqlite3.
"""

import argparse
import html
import os
import random
import re
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAKE_CORPUS = ROOT.parent / "shared" / "tools" / "make_corpus.py"
PAGE = 20


def setup_django(db_path):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{db_path}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsarchive.settings")
    import django

    django.setup()


def generate(corpus, count):
    manifest = corpus / "MANIFEST.tsv"
    if manifest.exists() and sum(1 for _ in manifest.open(encoding="utf-8")) - 1 >= count * 0.99:
        return
    subprocess.run(
        [sys.executable, str(MAKE_CORPUS), str(corpus), "--count", str(count)], check=True
    )


def body_text(raw):
    """Plain text of the HTML after the front matter: enough for a benchmark, not the importer."""
    body = raw.split("\n---\n", 2)[-1]
    body = re.sub(r"(?s)<(style|script)\b.*?</\1>|<!--.*?-->", " ", body)
    body = re.sub(r"<[^>]+>", " ", body)
    return " ".join(html.unescape(body).split())


def load(corpus, count):
    from django.db import transaction
    from django.utils import timezone

    from articles.models import Article, Author, Category, Editor, Source, unicode_slug

    def named(model, name, cache={}):  # noqa: B006 (a deliberate per-run cache)
        if not name:
            return None
        key = (model, name)
        if key not in cache:
            cache[key] = model.objects.get_or_create(
                name=name, defaults={"slug": unicode_slug(name)}
            )[0]
        return cache[key]

    categories = {}
    rows = [line.split("\t") for line in (corpus / "MANIFEST.tsv").read_text("utf-8").splitlines()]
    rows = rows[1 : count + 1]
    through = Article.categories.through
    for start in range(0, len(rows), 2000):
        articles, links = [], []
        for number, (path, title, date, category, editor, _images, source) in enumerate(
            rows[start : start + 2000], start
        ):
            raw = (corpus / path).read_text("utf-8")
            author = re.search(r"^author: (.*)$", raw, re.M)
            if category not in categories:
                chain, parent = [], None
                for name in category.split("/"):
                    parent, _ = Category.objects.get_or_create(name=name, parent=parent)
                    chain.append(parent)
                categories[category] = chain
            # Some articles readers must not find, as in tests/test_search_oracle.py.
            published_at, hidden = datetime.fromisoformat(date), {}
            if number % 97 == 7:
                published_at = timezone.now() + timedelta(days=30)
            if number % 50 == 0:
                hidden = {"status": Article.Status.DRAFT}
            elif number % 89 == 11:
                hidden = {"publish_end": datetime(2000, 1, 1, tzinfo=UTC)}
            articles.append(
                Article(
                    title=title,
                    slug=f"bench-{number}",
                    source_path=path,
                    body_text=body_text(raw),
                    published_at=published_at,
                    author=named(Author, author and author.group(1).strip()),
                    editor=named(Editor, editor),
                    source=named(Source, source),
                    **hidden,
                )
            )
            links.append(categories[category])
        with transaction.atomic():
            created = Article.objects.bulk_create(articles)
            # Filed at every level of the chain, as the importer files them.
            through.objects.bulk_create(
                through(article_id=article.pk, category_id=category.pk)
                for article, chain in zip(created, links, strict=True)
                for category in chain
            )
        print(f"\rloaded {start + len(articles)}/{len(rows)}", end="", file=sys.stderr)
    print(file=sys.stderr)


def index_size():
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT sum(pg_column_size(search_document)),"
                " pg_relation_size('articles_article_search_gin'),"
                " pg_database_size(current_database()) FROM articles_article"
            )
            *sizes, total = cursor.fetchone()
            return sum(size or 0 for size in sizes), total
        cursor.execute("PRAGMA page_size")
        page = cursor.fetchone()[0]
        cursor.execute("PRAGMA page_count")
        total = cursor.fetchone()[0] * page
        try:
            # articles_search* (the FTS5 shadow tables) and articles_search_key.
            cursor.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'articles_search%'")
            return cursor.fetchone()[0], total
        except Exception:  # dbstat is a compile-time option of SQLite
            return None, total


def build_oracle():
    """The oracle's table: (id, folded text of every field), written once per database."""
    from django.db import connection, transaction

    from articles.models import Article
    from tests import search_oracle

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_oracle")
        cursor.execute("CREATE TABLE bench_oracle (id integer PRIMARY KEY, text text NOT NULL)")
    articles = Article.objects.select_related("author", "editor", "source").prefetch_related(
        "categories", "tags"
    )
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 2000):
        texts = search_oracle.article_texts(articles.filter(pk__in=ids[start : start + 2000]))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO bench_oracle (id, text) VALUES (%s, %s)", list(texts.items())
            )
        print(f"\roracle {start + len(texts)}/{len(ids)}", end="", file=sys.stderr)
    print(file=sys.stderr)


def oracle_ids(q):
    """Ids of the articles whose folded text has every positive term and no negated one."""
    from django.db import connection

    from tests import search_oracle

    positive, negative = search_oracle.parse(q)
    find = "strpos(text, %s) > 0" if connection.vendor == "postgresql" else "instr(text, %s) > 0"
    where = [find] * len(positive) + [f"NOT {find}"] * len(negative)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM bench_oracle WHERE " + " AND ".join(where),  # noqa: S608 (ours)
            [*positive, *negative],
        )
        return {pk for (pk,) in cursor.fetchall()}


def draw(count):
    from articles.models import Article, Author, Category
    from tests import search_oracle

    rng = random.Random(5)
    ids = list(Article.objects.values_list("pk", flat=True))
    bodies = Article.objects.filter(pk__in=rng.sample(ids, 400)).values_list("body_text", flat=True)
    queries = search_oracle.draw_queries(list(bodies), count, seed=5)
    roots = list(Category.objects.roots().values_list("slug_path", flat=True))
    below = list(
        Category.objects.public().filter(depth__gt=0).order_by("slug_path")
        .values_list("slug_path", flat=True)
    )
    authors = list(Author.objects.public().order_by("slug").values_list("slug", flat=True))
    drawn = []
    for number, q in enumerate(queries):
        filters = {}
        if number % 5 == 4:  # a top-level category, or one below
            levels = below if number % 10 == 9 and below else roots
            filters["category"] = levels[number * 7 % len(levels)]
        if number % 11 == 10 and authors:
            filters["author"] = authors[number * 13 % len(authors)]
        if number % 7 == 6:
            filters.update(start="2021-09-01", end="2022-02-28")
        drawn.append((q, filters))
    return drawn


def results_for(q, filters, order="newest", listing=True):
    from articles.models import Article
    from articles.search_views import SearchForm

    form = SearchForm({"q": q, **filters})
    assert form.is_valid(), form.errors
    results = form.filter(Article.objects.all()).search(q, order=order)
    return results.for_listing() if listing else results


def search_page(q, filters, order="newest"):
    """What the results page runs: the count (exact up to 10,000) and the first page."""
    from articles import search

    results = results_for(q, filters, order)
    count = results.count_up_to(search.MAX_COUNT + 1)
    return count, [article.pk for article in results[:PAGE]]


def oracle_page(q, filters, allowed):
    """The oracle's answer: every match a reader may see with these filters."""
    return oracle_ids(q) & allowed[tuple(sorted(filters.items()))]


def allowed_sets(drawn):
    """For each distinct filter, the ids a reader may find with it (published, filtered):
    worked out once, outside the oracle's timing."""
    from articles.models import Article
    from articles.search_views import SearchForm

    sets = {}
    for q, filters in drawn:
        key = tuple(sorted(filters.items()))
        if key not in sets:
            form = SearchForm({"q": q, **filters})
            assert form.is_valid(), form.errors
            sets[key] = set(form.filter(Article.objects.published()).values_list("pk", flat=True))
    return sets


def facets_for(q, filters):
    from articles.search.facets import facets

    return facets(results_for(q, filters))


def pct(values, p):
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def timed(function, *args):
    started, started_cpu = time.perf_counter(), time.process_time()
    value = function(*args)
    return value, (time.perf_counter() - started) * 1000, (time.process_time() - started_cpu) * 1000


def verify(q, filters, expected, count, first_page, published_at):
    """Every difference between the search and the oracle for one query (empty: none)."""
    from articles import search

    problems = []
    # Every match, by the plain SQL any queryset use runs; pages are the test suite's to check
    # (tests/test_search_oracle.py reads every page).
    found = list(results_for(q, filters, listing=False).values_list("pk", flat=True))
    if set(found) != expected:
        extra, missing = len(set(found) - expected), len(expected - set(found))
        problems.append(f"{extra} extra, {missing} missing")
    if len(found) != len(set(found)):
        problems.append("duplicates")
    if count != min(len(expected), search.MAX_COUNT + 1):
        problems.append(f"count {count} != {len(expected)}")
    newest = sorted(expected, key=lambda pk: (published_at[pk], pk), reverse=True)[:PAGE]
    if first_page != newest:
        problems.append("first page is not the newest 20")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/newsarchive-bench-corpus"))
    parser.add_argument("--db", type=Path, default=Path("/tmp/newsarchive-search-bench.sqlite3"))
    parser.add_argument(
        "--keep-index", action="store_true", help="reuse the index of an earlier run (no rebuild)"
    )
    parser.add_argument(
        "--keep-oracle", action="store_true", help="reuse the oracle table of an earlier run"
    )
    parser.add_argument(
        "--page-only",
        action="store_true",
        help="A/B runs of two versions of the code on one database: time the search page"
        " (count and first page) of each query, nothing else; no oracle, so no equality check",
    )
    args = parser.parse_args()

    started = time.perf_counter()
    generate(args.corpus, args.count)
    print(f"corpus ready in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    setup_django(args.db)
    from django.core.management import call_command
    from django.db import connection

    from articles import search
    from articles.models import Article

    call_command("migrate", verbosity=0)
    if Article.objects.count() != args.count:
        Article.objects.all().delete()
        load(args.corpus, args.count)
    n = Article.objects.count()

    build = None
    if not args.keep_index:
        started = time.perf_counter()
        search.rebuild_index()
        build = time.perf_counter() - started
        print(f"index built in {build:.1f}s", file=sys.stderr)
    if not args.keep_oracle:
        build_oracle()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            cursor.execute("VACUUM ANALYZE")
    size, total = index_size()

    drawn = draw(args.queries)
    if args.page_only:
        return time_pages(drawn)
    allowed = allowed_sets(drawn)
    published_at = dict(Article.objects.values_list("pk", "published_at"))
    for q, filters in drawn[:5]:  # warm the caches both ways
        search_page(q, filters), oracle_page(q, filters, allowed)

    rows, failures = [], 0
    for q, filters in drawn:
        (count, first_page), wall, cpu = timed(search_page, q, filters)
        expected, oracle_wall, _ = timed(oracle_page, q, filters, allowed)
        _, best_wall, _ = timed(search_page, q, filters, "best")
        _, facet_wall, _ = timed(facets_for, q, filters)
        problems = verify(q, filters, expected, count, first_page, published_at)
        failures += bool(problems)
        rows.append((q, filters, len(expected), wall, cpu, oracle_wall, best_wall, facet_wall))
        label = f"{q} {filters or ''}".strip()
        print(
            f"{label[:40]:40} {len(expected):6} matches  search {wall:7.1f} ms  best"
            f" {best_wall:7.1f} ms  facets {facet_wall:7.1f} ms  oracle {oracle_wall:7.0f} ms  "
            + ("equal" if not problems else "DIFFERENT: " + "; ".join(problems)),
            file=sys.stderr,
        )
    report(rows, failures, n, build, size, total)
    return 1 if failures else 0


def time_pages(drawn):
    for q, filters in drawn[:5]:  # warm the caches
        search_page(q, filters)
    timings = [timed(search_page, q, filters)[1:] for q, filters in drawn]
    filtered = [{"category", "author"} & set(filters) for _q, filters in drawn]
    named = [row for row, named in zip(timings, filtered, strict=True) if named]
    loadavg = "/".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"{len(drawn)} search pages (count + first 20, newest first); load average {loadavg}")
    for label, rows in (("all", timings), (f"{len(named)} filtered by category or author", named)):
        walls, cpus = [row[0] for row in rows], [row[1] for row in rows]
        print(
            f"{label}: wall p50 {pct(walls, 50):.1f} ms, p95 {pct(walls, 95):.1f} ms;"
            f" CPU p50 {pct(cpus, 50):.1f} ms, p95 {pct(cpus, 95):.1f} ms"
        )
    return 0


def report(rows, failures, n, build, size, total):
    from django.db import connection

    loadavg = "/".join(f"{value:.1f}" for value in os.getloadavg())
    walls = [row[3] for row in rows]
    cpus = [row[4] for row in rows]
    oracles = [row[5] for row in rows]
    best = [row[6] for row in rows]
    facet = [row[7] for row in rows]
    print(
        f"N = {n} articles, {connection.vendor}; index build "
        + (f"{build:.1f}s" if build is not None else "n/a (--keep-index)")
        + "; index size "
        + (f"{size / 2**20:.0f} MiB" if size else "n/a")
        + f" (database {total / 2**20:.0f} MiB); load average {loadavg} on {os.cpu_count()} cores"
    )
    print(
        f"{len(rows)} queries; result sets equal to the oracle: {len(rows) - failures}/{len(rows)};"
        f" matches per query: min {min(r[2] for r in rows)}, median"
        f" {statistics.median(r[2] for r in rows):.0f}, max {max(r[2] for r in rows)}"
    )
    print("")
    print("| measure | p50 | p95 | max |")
    print("|---|---:|---:|---:|")
    for label, values in (
        ("search page (count + first 20, newest first)", walls),
        ("the same, CPU of this process", cpus),
        ("best-match order (count + first 20)", best),
        ("facets (4 counts over every match)", facet),
        ("oracle (substring scan of folded text)", oracles),
    ):
        p50, p95 = pct(values, 50), pct(values, 95)
        print(f"| {label} | {p50:.1f} ms | {p95:.1f} ms | {max(values):.1f} ms |")
    print(
        f"| speed-up over the oracle | {pct(oracles, 50) / pct(walls, 50):.0f}x"
        f" | {pct(oracles, 95) / pct(walls, 95):.0f}x | |"
    )
    named = [row for row in rows if {"category", "author"} & set(row[1])]
    if len(named) > 1:
        walls, oracles = [row[3] for row in named], [row[5] for row in named]
        print(
            f"| {len(named)} filtered by category or author: search page | {pct(walls, 50):.1f} ms"
            f" | {pct(walls, 95):.1f} ms | {max(walls):.1f} ms |"
        )
        print(
            f"| the same, speed-up over the oracle | {pct(oracles, 50) / pct(walls, 50):.0f}x"
            f" | {pct(oracles, 95) / pct(walls, 95):.0f}x | |"
        )


if __name__ == "__main__":
    sys.exit(main())
