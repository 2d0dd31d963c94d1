"""Per-engine and per-feed counts over the real fixtures: how many posts import, how many are
refused and why, and what was inferred. Parses as the importer's workers do; stores nothing.

    .venv/bin/python bench/fixture_counts.py [--list]
"""

import argparse
import os
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from articles.importing.engines import ENGINES, FileContext, find_site  # noqa: E402
from articles.importing.pipeline import Failure, process_post  # noqa: E402
from articles.importing.reading import iter_post_files, relative_identity  # noqa: E402

BLOGS = ROOT / "tests" / "fixtures" / "blogs"
FEEDS = ROOT / "tests" / "fixtures" / "crawler_feeds"
CATEGORIES = re.compile(r"^categories:\s*\n((?:[ \t]+- .*\n)+)", re.MULTILINE)


def parse(root, path):
    rel = relative_identity(str(root), path)
    site = find_site(os.path.dirname(path))
    site_path = os.path.relpath(path, site.root).replace(os.sep, "/") if site.root else rel
    context = FileContext(site, site_path, os.stat(path).st_mtime_ns)
    return rel, process_post((rel, path, "Asia/Shanghai", context))


def feed_of(path):
    """The feed a crawler file came from: the categories after the first, as written."""
    found = CATEGORIES.search(Path(path).read_text(encoding="utf-8", errors="replace"))
    if not found:
        return "?"
    names = [line.strip()[2:].strip() for line in found.group(1).splitlines()]
    return " / ".join(names[1:]) or names[0]


def kind_of(note):
    """A note with its particulars blanked, so notes of one kind count together."""
    note = re.sub(r"^body line \d+: .*? (is|names) ", r"body line N: {…} \1 ", note)
    note = re.sub(r"\d{4}-\d\d-\d\d( \d\d:\d\d)?", "<date>", note)
    return re.sub(r"'[^']*'", "'…'", note)


def count(groups):
    rows, refused, inferred = [], [], Counter()
    for group, files in sorted(groups.items()):
        ok = 0
        for root, path in files:
            _, result = parse(root, path)
            if isinstance(result, Failure):
                refused.append(f"{group}: {result}")
            else:
                ok += 1
                for note in result.notes:
                    inferred[kind_of(note)] += 1
        rows.append((group, len(files), ok))
    return rows, refused, inferred


def table(title, rows):
    print(f"\n{title}")
    print(f"{'':42} {'files':>6} {'imported':>9}")
    for group, total, ok in rows:
        print(f"{group[:42]:42} {total:>6} {ok:>9}")
    total, ok = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"{'all':42} {total:>6} {ok:>9}  ({100 * ok / total:.1f}%)")
    return total, ok


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--list", action="store_true", help="print what was inferred, by kind")
    args = parser.parse_args()
    engines, sites, feeds = defaultdict(list), defaultdict(list), defaultdict(list)
    for site in sorted(
        p for p in BLOGS.iterdir() if p.is_dir() and p.name.split("-")[0] in ENGINES
    ):
        for root, path in iter_post_files([str(site)]):
            engines[site.name.split("-")[0]].append((root, path))
            sites[site.name].append((root, path))
    for root, path in iter_post_files([str(FEEDS)]):
        if not path.endswith("README.md"):
            feeds[feed_of(path)].append((root, path))
    blog_rows, blog_refused, blog_inferred = count(engines)
    table("Blog posts by engine", blog_rows)
    table("Blog posts by site", count(sites)[0])
    feed_rows, feed_refused, feed_inferred = count(feeds)
    table("Crawler files by feed", feed_rows)
    total = sum(r[1] for r in blog_rows + feed_rows)
    ok = sum(r[2] for r in blog_rows + feed_rows)
    print(f"\nAll fixtures: {ok} of {total} import ({100 * ok / total:.1f}%)")
    print("\nRefused (each with its reason):")
    for line in blog_refused + feed_refused or ["(none)"]:
        print(f"  {line}")
    if args.list:
        print("\nInferred, by kind:")
        for kind, n in (blog_inferred + feed_inferred).most_common():
            print(f"  {n:>4}  {kind}")


if __name__ == "__main__":
    main()
