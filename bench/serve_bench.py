#!/usr/bin/env python3
"""Serving benchmark (not a timed test): the public site under load, against a ceiling.

    .venv/bin/python bench/serve_bench.py [--count 10000] [--duration 10] [--connections 16]

1. generates --count articles with ../shared/tools/make_corpus.py (kept in bench/out/),
2. imports them into a fresh SQLite database with `import_articles --jobs 2`
   (or uses DATABASE_URL if set, e.g. PostgreSQL),
3. serves the site with gunicorn on 127.0.0.1 (DEBUG off, the production settings),
4. loads the home page, one article page, article pages rotating over 500 different
   articles, a category page, and home and category pages rotating over 100 page numbers
   with wrk (bounded by --duration), and in the same run a trivial HttpResponse view behind
   the same middleware: the ceiling. Rotating rows are mostly cache misses: they measure
   rendering and queries, the single-URL rows mostly the page cache,
5. prints a Markdown table: requests/s, p50, p99, errors, and each page as % of the ceiling.

This file is also the bench server's settings module and URLconf (when gunicorn imports it
with NEWSARCHIVE_BENCH_SERVER=1), so the ceiling view never exists in the real site.
"""

import os

if os.environ.get("NEWSARCHIVE_BENCH_SERVER") == "1":
    # Imported by gunicorn as DJANGO_SETTINGS_MODULE and ROOT_URLCONF: the site's own
    # settings, plus one URL for the ceiling view.
    from django.http import HttpResponse

    from newsarchive.settings import *  # noqa: F403

    ROOT_URLCONF = "serve_bench"

    def ceiling(request):
        return HttpResponse("ok", content_type="text/plain")

    def __getattr__(name):
        # The URLconf is read after apps are ready; building it while settings load would
        # import the models too early.
        if name == "urlpatterns":
            from django.urls import include, path

            return [path("bench/ceiling/", ceiling), path("", include("newsarchive.urls"))]
        raise AttributeError(name)


import argparse
import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
MAKE_CORPUS = ROOT.parent / "shared" / "tools" / "make_corpus.py"
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"

# wrk picks one of these paths per request; written next to the path list it reads.
ROTATE_LUA = """
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""


def run(cmd, env, **kwargs):
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, **kwargs)


def server_env(database_url):
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY="bench-only-secret-key-not-for-production-0123456789",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="newsarchive.settings",
    )
    return env


def prepare_database(count, env):
    corpus = OUT / f"corpus-{count}"
    if not (corpus / "MANIFEST.tsv").exists():
        shutil.rmtree(corpus, ignore_errors=True)
        print(f"generating {count} articles in {corpus}", file=sys.stderr)
        run([sys.executable, str(MAKE_CORPUS), str(corpus), "--count", str(count)], env)
    run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    started = time.monotonic()
    run([PY, "manage.py", "import_articles", str(corpus), "--jobs", "2", "-v", "0"], env)
    print(f"imported in {time.monotonic() - started:.1f}s", file=sys.stderr)
    run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)


def pick_paths(env):
    """The article, the rotation of articles and the category page, chosen by the ORM."""
    script = (
        "import json\n"
        "from articles.models import Article, Category\n"
        "public = list(Article.objects.published().order_by('-published_at')[:2000])\n"
        "root = max(Category.objects.roots(), key=lambda c: c.articles.count())\n"
        "print(json.dumps({'article': public[len(public) // 2].get_absolute_url(),\n"
        "  'rotation': [a.get_absolute_url() for a in public[::4][:500]],\n"
        "  'category': root.get_absolute_url(), 'count': Article.objects.count()}))\n"
    )
    out = run([PY, "manage.py", "shell", "-c", script], env, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def port_in_use():
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", PORT)) == 0


def start_server(env, workers):
    if port_in_use():
        raise SystemExit(f"127.0.0.1:{PORT} is busy: a stale server would be measured instead")
    env = dict(env, NEWSARCHIVE_BENCH_SERVER="1", DJANGO_SETTINGS_MODULE="serve_bench")
    cmd = [GUNICORN, "-c", "newsarchive/gunicorn.conf.py", "--pythonpath", "bench"]
    cmd += ["--bind", f"127.0.0.1:{PORT}", "--workers", str(workers)]
    # No recycling: gunicorn.conf.py restarts a worker every ~5,000 requests, and a restart
    # (boot plus empty per-process caches) landed in whichever row it happened to hit.
    cmd += ["--max-requests", "0", "--access-logfile", "/dev/null", "newsarchive.wsgi"]
    server = subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True)
    for _ in range(100):
        if server.poll() is not None:
            raise SystemExit("gunicorn exited while starting")
        try:
            with urllib.request.urlopen(BASE + "/bench/ceiling/", timeout=10) as response:
                if response.status == 200:
                    return server
        except OSError:  # refused while booting, or a timeout: both mean "not yet"
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit("gunicorn did not start")


def stop_server(server):
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(text):
    def latency(label):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        return float(match.group(1)) * UNITS[match.group(2)]

    requests = int(re.search(r"(\d+) requests in", text).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
        "p50": latency("50"),
        "p99": latency("99"),
        "requests": requests,
        "errors": errors + (int(non_2xx.group(1)) if non_2xx else 0),
    }


def load(path, args, lua=None, env=None):
    """One bounded wrk run (after a short warm-up that fills the caches)."""
    # --timeout: wrk's default of 2 s counted slow answers as socket errors whenever the
    # (shared) machine was busy; slowness is what p99 reports, errors should be failures.
    base = ["wrk", "-t", "2", "-c", str(args.connections), "--latency", "--timeout", "10s"]
    if lua:
        base += ["-s", lua]
    url = BASE + path
    subprocess.run([*base, "-d", "2s", url], env=env, capture_output=True, check=True)
    result = subprocess.run(
        [*base, "-d", f"{args.duration}s", url], env=env, capture_output=True, text=True, check=True
    )
    return parse_wrk(result.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2)
    parser.add_argument(
        "--reuse-db", action="store_true", help="skip generating and importing; still migrate"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")

    OUT.mkdir(parents=True, exist_ok=True)
    database = OUT / f"serve-{args.count}.sqlite3"
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{database}"
    env = server_env(database_url)
    if not args.reuse_db:
        if database_url.startswith("sqlite"):
            for stale in OUT.glob(f"{database.name}*"):
                stale.unlink()
        prepare_database(args.count, env)
    else:  # a database from an earlier run still needs the migrations (indexes) added since
        run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    paths = pick_paths(env)

    with tempfile.TemporaryDirectory() as tmp:
        lua = Path(tmp) / "rotate.lua"
        lua.write_text(ROTATE_LUA)

        def rotating(name, urls):
            listing = Path(tmp) / f"{name}.txt"
            listing.write_text("\n".join(urls) + "\n")
            return load("/", args, lua=str(lua), env=dict(os.environ, BENCH_PATHS=str(listing)))

        pages = [f"?page={n}" for n in range(2, 102)]
        server = start_server(env, args.workers)
        try:
            rows = [
                ("ceiling: trivial HttpResponse", load("/bench/ceiling/", args)),
                ("home page", load("/", args)),
                ("article page", load(paths["article"], args)),
                (
                    f"article pages, {len(paths['rotation'])} rotating",
                    rotating("articles", paths["rotation"]),
                ),
                ("category page (largest root)", load(paths["category"], args)),
                ("home pages 2-101, rotating", rotating("home", [f"/{p}" for p in pages])),
                (
                    "category pages 2-101, rotating",
                    rotating("category", [paths["category"] + p for p in pages]),
                ),
            ]
        finally:
            stop_server(server)

    ceiling = rows[0][1]["rps"]
    print(
        f"\n{paths['count']} articles, {database_url.split(':')[0]}, gunicorn {args.workers} sync "
        f"workers, wrk 2 threads / {args.connections} connections / {args.duration}s per row\n"
    )
    print("| page | req/s | % of ceiling | p50 ms | p99 ms | requests | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r in rows:
        share = 100 * r["rps"] / ceiling
        print(
            f"| {name} | {r['rps']:.0f} | {share:.0f}% | {r['p50']:.2f} | {r['p99']:.2f} "
            f"| {r['requests']} | {r['errors']} |"
        )
    article = rows[2][1]
    ok = article["rps"] >= 0.6 * ceiling and all(r["errors"] == 0 for _, r in rows)
    print(f"\ntarget (article >= 60% of ceiling, 0 errors): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
