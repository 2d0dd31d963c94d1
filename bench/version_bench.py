#!/usr/bin/env python3
"""What the content-version check costs a request (not a timed test).

    .venv/bin/python bench/version_bench.py [--reads 5000] [--pages 2000]

Imports fixtures/posts into a scratch database (a SQLite file, or a new database on
DATABASE_URL's PostgreSQL server), then in one process, on the site's own settings:
1. reads the version row --reads times, as every request does once (articles.cache_version);
2. GETs one article page --pages times as an anonymous reader through Django's full
   middleware stack (django.test.Client, no network): all but the first are page-cache hits,
   so this is the cheapest request the site serves, and the one the check weighs most on;
3. prints both per request, and the check's share of the cached page.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load_bench import manage, scratch_database  # noqa: E402


def per_call(function, count, rounds=5):
    """(wall, CPU) per call in microseconds: medians over `rounds` of `count` calls each.

    CPU time is this process's alone (not the database server's), and it is what stays
    comparable on a machine whose other jobs make the wall clock wait for a core.
    """
    walls, cpus = [], []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(count):
            function()
        walls.append((time.perf_counter() - wall) / count * 1e6)
        cpus.append((time.process_time() - cpu) / count * 1e6)
    return statistics.median(walls), statistics.median(cpus)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=5000)
    parser.add_argument("--pages", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir, scratch_database(workdir, "na_version") as url:
        env = dict(os.environ, DATABASE_URL=url, DEBUG="1")
        manage(env, "import_articles", ROOT / "fixtures" / "posts", "-v0")
        os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="newsarchive.settings")
        import django

        django.setup()
        from django.db import connection
        from django.test import Client
        from django.test.utils import setup_test_environment

        from articles import cache_version
        from articles.models import Article

        setup_test_environment()
        read = per_call(cache_version.read, args.reads)
        client = Client()
        page = Article.objects.first().get_absolute_url()
        assert client.get(page).status_code == 200
        cached = per_call(lambda: client.get(page), args.pages // 5)
        load = os.getloadavg()[0]
        print("| database | version read (wall / CPU) | cached page (wall / CPU) | share | load |")
        print(
            f"| {connection.vendor} | {read[0]:.0f} / {read[1]:.0f} µs "
            f"| {cached[0]:.0f} / {cached[1]:.0f} µs | {read[1] / cached[1]:.1%} | {load:.1f} |"
        )


if __name__ == "__main__":
    main()
