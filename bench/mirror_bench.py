#!/usr/bin/env python3
"""Image mirroring: throughput against a local picture host, and a list page's weight.

    .venv/bin/python bench/mirror_bench.py [--count 300] [--variety 40]

1. generates --count crawler files (../shared/tools/make_corpus.py), points their Sina picture
   URLs at a picture host on 127.0.0.1 (tests/picture_server.py: 1600x900 JPEGs, --variety
   distinct ones, and PNGs), imports them into a scratch SQLite database;
2. mirrors every picture with --jobs 1 and then, from scratch again, with --jobs 8, the
   per-host pause off (it is a politeness rule for real hosts: 0.2 s caps one host at 5/s);
3. weighs the home page's thumbnails before mirroring (the originals the rows pointed at) and
   after (the 320 px copies the rows now use), fetched as a browser would.
Prints a Markdown table. Everything runs in this process against real files and sockets.
"""

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SINA = re.compile(r"https?://n\.sinaimg\.cn/([^\"'\s<>]+?)\.(jpg|png|gif|jpeg)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--variety", type=int, default=40)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mirror-bench-"))
    os.environ.update(
        DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}",
        MEDIA_ROOT=str(work / "media"),
        NEWSARCHIVE_MIRROR_ALLOW_PRIVATE="1",
        NEWSARCHIVE_MIRROR_HOST_INTERVAL="0",
        DJANGO_SETTINGS_MODULE="newsarchive.settings",
        DEBUG="1",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from articles.mirroring.models import MirroredImage
    from bench.load_bench import make_corpus
    from tests.picture_server import PictureServer

    try:
        with PictureServer(variety=args.variety) as host:
            corpus = make_corpus(work / "corpus", args.count)
            posts = work / "posts"
            for path in corpus.rglob("*"):
                if path.is_file() and path.suffix in (".md", ".txt"):
                    target = posts / path.relative_to(corpus)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    text = path.read_text(encoding="utf-8")
                    target.write_text(
                        SINA.sub(
                            lambda m: (
                                f"{host.base}/"
                                f"{'photo' if m.group(2) in ('jpg', 'jpeg') else 'small'}/"
                                f"{m.group(1)}.{m.group(2)}"
                            ),
                            text,
                        ),
                        encoding="utf-8",
                    )
            call_command("migrate", verbosity=0)
            call_command("import_articles", str(posts), verbosity=0)
            client = Client(HTTP_HOST="localhost")
            before = thumbnail_bytes(client, host)
            rows = []
            for jobs in (1, 8):
                MirroredImage.objects.all().delete()
                shutil.rmtree(work / "media", ignore_errors=True)
                started = time.perf_counter()
                try:
                    call_command("mirror_images", "--all", "--jobs", str(jobs), verbosity=0)
                except Exception as error:
                    print(f"mirror_images --jobs {jobs}: {error}", file=sys.stderr)
                seconds = time.perf_counter() - started
                done = MirroredImage.objects.filter(status="mirrored").count()
                failed = MirroredImage.objects.filter(status="failed").count()
                files = sum(1 for p in (work / "media").rglob("*") if p.is_file())
                size = sum(p.stat().st_size for p in (work / "media").rglob("*") if p.is_file())
                rows.append((jobs, done, failed, seconds, done / seconds, files, size))
            from django.core.cache import cache

            cache.clear()
            after = thumbnail_bytes(client, host)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"load average: {os.getloadavg()[0]:.1f}\n")
    print("| --jobs | mirrored | failed | seconds | pictures/s | files stored | MB stored |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for jobs, done, failed, seconds, rate, files, size in rows:
        print(
            f"| {jobs} | {done} | {failed} | {seconds:.1f} | {rate:.1f} | {files} | "
            f"{size / 2**20:.1f} |"
        )
    print(f"\n8 jobs / 1 job: {rows[1][4] / rows[0][4]:.2f}x\n")
    print("| home page thumbnails | pictures | bytes |")
    print("|---|---:|---:|")
    print(f"| before mirroring (originals) | {before[0]} | {before[1]:,} |")
    print(f"| after (320 px WebP copies) | {after[0]} | {after[1]:,} |")
    print(f"\nafter / before: {after[1] / before[1]:.3f}")


def thumbnail_bytes(client, host):
    """(count, total bytes) of the pictures the home page's rows show, fetched."""
    from urllib.request import urlopen

    from bs4 import BeautifulSoup

    page = BeautifulSoup(client.get("/").content, "html.parser")
    sources = [img["src"] for img in page.select(".article-row .thumb img")]
    total = 0
    for src in sources:
        if src.startswith("http"):
            with urlopen(src, timeout=10) as response:
                total += len(response.read())
        else:
            total += len(b"".join(client.get(src).streaming_content))
    return len(sources), total


if __name__ == "__main__":
    main()
