"""Import stage budget: CPU per file of each stage of a cold import, in one process.

    .venv/bin/python bench/import_stages.py [--count 1500]

Each file goes through the whole worker chain as in a worker (read, decode and split, front
matter, the rest of parsing, clean, sanitize, derive the text, tokenize), each stage timed in
place with this thread's CPU clock; then the writer stores the parsed files into a fresh
SQLite database (DATABASE_URL to use another), search index included, timed the same way.
Best of --rounds for the workers; CPU time, so a busy machine inflates it less than wall
time, though a shared core still slows every stage.
"""

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from import_bench import corpus  # noqa: E402

from articles.content import derive  # noqa: E402
from articles.importing import pipeline  # noqa: E402
from articles.importing.cleaning import clean_body  # noqa: E402
from articles.importing.engines import FileContext  # noqa: E402
from articles.importing.parsing import load_front_matter, parse_post  # noqa: E402
from articles.importing.reading import raw_post_from_bytes, read_bytes  # noqa: E402
from articles.tokens import document  # noqa: E402

STAGES = ["read", "decode, split", "YAML", "parse, less YAML", "clean", "sanitize", "text"]
STAGES += ["tokenize"]  # the index document


def worker_stages(files, zone):
    clock, spent = time.thread_time, defaultdict(float)
    for path in files:
        t0 = clock()
        data = read_bytes(path)
        t1 = clock()
        raw = raw_post_from_bytes("x.md", data)
        t2 = clock()
        load_front_matter(raw.front_matter, raw.front_format, raw.front_line)
        t3 = clock()
        post = parse_post(raw, zone, FileContext())  # reads the front matter again
        t4 = clock()
        cleaned = clean_body(post.body_html)
        t5 = clock()
        body = pipeline.stored_body(cleaned.html)
        t6 = clock()
        fields = derive(title=post.title, body_html=body, sanitized=True)
        t7 = clock()
        document(fields.title, [post.author, *post.tags], fields.body_text)
        t8 = clock()
        yaml_seconds = t3 - t2
        durations = (t1 - t0, t2 - t1, yaml_seconds, t4 - t3 - yaml_seconds, t5 - t4, t6 - t5)
        for name, seconds in zip(STAGES, (*durations, t7 - t6, t8 - t7), strict=True):
            spent[name] += seconds
    start = clock()
    for path in files:
        pipeline.process_post(("x.md", path, "Asia/Shanghai"))
    spent["whole worker (process_post)"] = clock() - start
    return spent


def writer_cpu(folder, files):
    """CPU per file of the importer's writer storing files parsed beforehand."""
    scratch = tempfile.mkdtemp()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}/stages.db")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsarchive.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    import django

    django.setup()
    from django.core.management import call_command

    from articles.importing.runner import Importer, chunked

    call_command("migrate", verbosity=0)
    parsed = {}
    for path in files:
        rel_path = os.path.relpath(path, folder)
        parsed[rel_path] = pipeline.process_post((rel_path, path, "Asia/Shanghai"))
    importer = Importer(zone_name="Asia/Shanghai", jobs=1)
    start = time.process_time()
    importer.run_tasks(parsed.__getitem__, chunked(list(parsed), 200))
    return time.process_time() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "newsarchive-bench"))
    args = parser.parse_args()
    folder = corpus(args.count, args.cache)
    files = [str(path) for path in sorted(folder.rglob("*.md"))]
    zone = pipeline.zone_named("Asia/Shanghai")
    rounds = [worker_stages(files, zone) for _ in range(args.rounds)]
    best = {name: min(spent[name] for spent in rounds) for name in rounds[0]}
    writer = writer_cpu(folder, files)
    n = len(files)
    print(f"files: {n}, load: {os.getloadavg()}")
    print("| stage | CPU per file |")
    print("|---|---:|")
    for name, seconds in best.items():
        print(f"| {name} | {seconds / n * 1000:.3f} ms |")
    print(f"| writer (storing and search index) | {writer / n * 1000:.3f} ms |")
    total = best["whole worker (process_post)"] + writer
    print(f"| worker + writer | {total / n * 1000:.3f} ms |")


if __name__ == "__main__":
    main()
