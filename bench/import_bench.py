"""Import benchmark: files/s for a cold import, a no-change re-import, peak RSS, and bare
`frontmatter.load` over the same files as the reference, all in one run. Also the parsing
alone (read, parse, clean, sanitize, tokenize in --jobs worker processes, results thrown
away): the ceiling a cold import could reach if storing cost nothing.

    .venv/bin/python bench/import_bench.py [--count 10000] [--jobs N]

Without --jobs the imports run with the command's default (one parser per core). Targets
(2-core machine): cold >= 1,000 files/s at 10,000 files; re-import >= 10,000 files/s; peak
RSS <= 300 MB at 100,000 files. The stage budget per file: bench/import_stages.py.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import frontmatter

ROOT = Path(__file__).resolve().parent.parent
MAKE_CORPUS = ROOT.parent / "shared" / "tools" / "make_corpus.py"


def corpus(count, cache):
    folder = Path(cache) / f"corpus-{count}"
    if not (folder / "MANIFEST.tsv").exists():
        subprocess.run(
            [sys.executable, str(MAKE_CORPUS), str(folder), "--count", str(count)],
            check=True,
            capture_output=True,
        )
    return folder


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(args, env):
    """Wall time and the command's last output line; RSS is read from the children total, and
    CPU too (the command's and its workers', each waited for by its parent)."""
    run.cpu = children_cpu()
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    run.cpu = children_cpu() - run.cpu
    if result.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return elapsed, (result.stdout.strip().splitlines() or [""])[-1]


def frontmatter_rate(files):
    start = time.perf_counter()
    for path in files:
        frontmatter.load(path)
    return len(files) / (time.perf_counter() - start)


def parsing_rate(folder, files, jobs):
    """The importer's worker pipeline over every file in `jobs` processes, nothing stored."""
    from articles.importing.pipeline import process_post, worker_context

    tasks = [(str(path.relative_to(folder)), str(path), "Asia/Shanghai") for path in files]
    start = time.perf_counter()
    with ProcessPoolExecutor(jobs, mp_context=worker_context()) as pool:
        for _ in pool.map(process_post, tasks, chunksize=8):
            pass
    return len(files) / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=None, help="default: the command's")
    parser.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "newsarchive-bench"))
    parser.add_argument(
        "--database-url", help="an empty database to import into (default: a scratch SQLite file)"
    )
    args = parser.parse_args()

    folder = corpus(args.count, args.cache)
    files = sorted(folder.rglob("*.md"))
    with tempfile.TemporaryDirectory() as scratch:
        env = dict(
            os.environ,
            DATABASE_URL=args.database_url or f"sqlite:///{scratch}/bench.db",
            DEBUG="0",
            SECRET_KEY="bench-only",
            ALLOWED_HOSTS="localhost",
        )
        run(["migrate", "-v0"], env)
        jobs = ["--jobs", str(args.jobs)] if args.jobs else []
        cold, cold_summary = run(["import_articles", str(folder), *jobs], env)
        cold_cpu = run.cpu
        again, again_summary = run(["import_articles", str(folder), *jobs], env)
        again_cpu = run.cpu
        # What every command pays before it looks at a file: Python, Django and the apps.
        start_up = min(run(["import_articles", "--help"], env)[0] for _ in range(3))
        db_size = sum(f.stat().st_size for f in Path(scratch).glob("bench.db*"))
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    reference = frontmatter_rate(files)
    sys.path.insert(0, str(ROOT))
    from articles.importing.limits import default_jobs

    jobs = args.jobs or default_jobs()
    parsing = parsing_rate(folder, files, jobs)

    n = len(files)
    print(f"files: {n}, jobs: {jobs}, cpus: {os.cpu_count()}, load: {os.getloadavg()}")
    print(f"cold:      {cold_summary}")
    print(f"re-import: {again_summary}")
    print()
    print("| measure | value |")
    print("|---|---|")
    print(f"| cold import (--jobs {jobs}) | {n / cold:,.0f} files/s ({cold:.1f} s) |")
    # The workers are the forkserver's children, not the command's, so not in its rusage.
    print(f"| cold import, CPU per file of the writer's process | {cold_cpu / n * 1000:.2f} ms |")
    print(f"| re-import, nothing changed | {n / again:,.0f} files/s ({again:.2f} s) |")
    print(f"| re-import, CPU of the command's process | {again_cpu:.2f} s |")
    print(
        f"| re-import without process start-up ({start_up:.2f} s) "
        f"| {n / (again - start_up):,.0f} files/s |"
    )
    print(f"| bare frontmatter.load, same files | {reference:,.0f} files/s |")
    print(f"| cold import / frontmatter.load | {n / cold / reference:.2f} |")
    print(f"| parsing alone, {jobs} workers, nothing stored | {parsing:,.0f} files/s |")
    print(f"| cold import / parsing alone | {n / cold / parsing:.2f} |")
    print(f"| peak RSS (largest process) | {peak_mb:,.0f} MB |")
    if not args.database_url:
        print(f"| SQLite database size | {db_size / 1048576:,.0f} MB |")


if __name__ == "__main__":
    main()
