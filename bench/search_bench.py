"""Benchmark Article.objects.search against a LIKE '%term%' scan (issue 5).

    .venv/bin/python bench/search_bench.py --count 100000

Generates the corpus with ../shared/tools/make_corpus.py (skipped when it is already there),
loads it into a separate database with bulk_create (front matter and body parsed here, simply:
the importer is not needed to measure search), rebuilds the index, then times 200 queries drawn
from the corpus text: 50 each of one-, two- and four-character terms and two-term queries.
Each query is what the results page runs: COUNT(*) plus the first page of 20.

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
from datetime import datetime
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
                parent = None
                for name in category.split("/"):
                    parent, _ = Category.objects.get_or_create(name=name, parent=parent)
                categories[category] = parent
            articles.append(
                Article(
                    title=title,
                    slug=f"bench-{number}",
                    source_path=path,
                    body_text=body_text(raw),
                    published_at=datetime.fromisoformat(date),
                    author=named(Author, author and author.group(1).strip()),
                    editor=named(Editor, editor),
                    source=named(Source, source),
                )
            )
            links.append(categories[category])
        with transaction.atomic():
            created = Article.objects.bulk_create(articles)
            through.objects.bulk_create(
                through(article_id=article.pk, category_id=category.pk)
                for article, category in zip(created, links, strict=True)
            )
        print(f"\rloaded {start + len(articles)}/{len(rows)}", end="", file=sys.stderr)
    print(file=sys.stderr)


def index_size():
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Both indexes: the full one (0002) and the titles' (0005).
            cursor.execute(
                "SELECT sum(pg_column_size(search_document)),"
                " sum(pg_column_size(search_title)),"
                " pg_relation_size('articles_article_search_gin'),"
                " pg_relation_size('articles_article_search_title_gin'),"
                " pg_database_size(current_database()) FROM articles_article"
            )
            *sizes, total = cursor.fetchone()
            return sum(size or 0 for size in sizes), total
        cursor.execute("PRAGMA page_size")
        page = cursor.fetchone()[0]
        cursor.execute("PRAGMA page_count")
        total = cursor.fetchone()[0] * page
        try:
            # articles_search* and articles_search_title*: both indexes' shadow tables.
            cursor.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'articles_search%'")
            return cursor.fetchone()[0], total
        except Exception:  # dbstat is a compile-time option of SQLite
            return None, total


def draw_queries(seed=5):
    from articles.models import Article

    rng = random.Random(seed)
    ids = list(Article.objects.values_list("pk", flat=True))
    texts = Article.objects.filter(pk__in=rng.sample(ids, 400)).values_list("body_text", flat=True)
    runs = [run for text in texts for run in re.findall(r"[\u4e00-\u9fff]{4,}", text)]

    def term(length):
        run = rng.choice(runs)
        start = rng.randrange(len(run) - length + 1)
        return run[start : start + length]

    return {
        "1 char": [term(1) for _ in range(50)],
        "2 chars": [term(2) for _ in range(50)],
        "4 chars": [term(4) for _ in range(50)],
        "2 terms": [f"{term(2)} {term(2)}" for _ in range(50)],
    }


def timed(run, queries):
    """Wall-clock ms, in-process CPU ms (SQLite runs in this process: without the time spent
    waiting for a core on a busy machine) and the hit counts."""
    times, cpu, hits = [], [], []
    for q in queries:
        started, started_cpu = time.perf_counter(), time.process_time()
        hits.append(run(q))
        cpu.append((time.process_time() - started_cpu) * 1000)
        times.append((time.perf_counter() - started) * 1000)
    return times, cpu, hits


def search_page(q):
    from articles.models import Article

    results = Article.objects.search(q)
    count = results.count()
    list(results[:PAGE])
    return count


def like_page(q):
    from articles.models import Article

    results = Article.objects.published()
    for term in q.split():
        results = results.filter(body_text__contains=term)
    results = results.order_by("-published_at", "-pk")
    count = results.count()
    list(results[:PAGE])
    return count


def pct(values, p):
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/newsarchive-bench-corpus"))
    parser.add_argument("--db", type=Path, default=Path("/tmp/newsarchive-search-bench.sqlite3"))
    parser.add_argument("--like-every", type=int, default=1, help="LIKE only every k-th query")
    parser.add_argument(
        "--keep-index", action="store_true", help="reuse the index of an earlier run (no rebuild)"
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
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE articles_article")
    size, total = index_size()

    queries = draw_queries()
    for q in queries["2 chars"][:5]:  # warm the caches both ways
        search_page(q), like_page(q)
    loadavg = "/".join(f"{value:.1f}" for value in os.getloadavg())
    lines = [
        f"N = {n} articles, {connection.vendor}; index build "
        + (f"{build:.1f}s" if build is not None else "n/a (--keep-index)")
        + "; index size "
        + (f"{size / 2**20:.0f} MiB" if size else "n/a")
        + f" (database {total / 2**20:.0f} MiB); load average {loadavg} on {os.cpu_count()} cores",
        "",
        "| queries | n | search p50 | search p95 | search p95 CPU | LIKE p50 | LIKE p95 "
        "| p50 speed-up | p95 speed-up | mean hits |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    everything = ([], [], [])
    for label, group in queries.items():
        fast, fast_cpu, hits = timed(search_page, group)
        slow, _, _ = timed(like_page, group[:: args.like_every])
        everything[0].extend(fast)
        everything[1].extend(fast_cpu)
        everything[2].extend(slow)
        lines.append(row(label, len(group), fast, fast_cpu, slow, statistics.mean(hits)))
        print(lines[-1], file=sys.stderr)
    lines.append(row("all", sum(map(len, queries.values())), *everything, None))
    print("\n".join(lines))


def row(label, count, fast, fast_cpu, slow, hits):
    p50, p95 = pct(fast, 50), pct(fast, 95)
    l50, l95 = pct(slow, 50), pct(slow, 95)
    mean = f"{hits:.0f}" if hits is not None else ""
    return (
        f"| {label} | {count} | {p50:.1f} ms | {p95:.1f} ms | {pct(fast_cpu, 95):.1f} ms "
        f"| {l50:.0f} ms | {l95:.0f} ms | {l50 / p50:.0f}x | {l95 / p95:.0f}x | {mean} |"
    )


if __name__ == "__main__":
    main()
