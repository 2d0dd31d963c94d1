#!/usr/bin/env python3
"""Serving benchmark (not a timed test): the public site under load, against a ceiling.

    .venv/bin/python bench/serve_bench.py [--count 10000] [--duration 10] [--connections 16]

1. generates --count articles with ../shared/tools/make_corpus.py (kept in bench/out/),
2. imports them into a fresh SQLite database with `import_articles --jobs 2`
   (or uses DATABASE_URL if set, e.g. PostgreSQL),
3. serves the site with gunicorn on 127.0.0.1 (DEBUG off, the production settings),
4. loads, with wrk (bounded by --duration), the home page, one article page and the largest
   root category page, each mostly answered by the page cache; then, from a second server
   with the page cache off (NEWSARCHIVE_PAGE_CACHE_SECONDS=0; the navigation counts and
   neighbours stay cached as in production), article pages rotating over 500 different
   articles, home and category pages rotating over 100 page numbers and searches rotating
   over 100 words. Each server also serves a trivial HttpResponse view behind the same
   middleware: the ceiling each of its rows is measured against,
5. prints a Markdown table: requests/s, p50, p99, errors, and each page as % of its ceiling.

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
            from django.urls import path

            from newsarchive.urls import urlpatterns

            # Spliced in, not include()d: the site's i18n_patterns must stay at the root.
            return [path("bench/ceiling/", ceiling), *urlpatterns]
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
BASE = "http://127.0.0.1:{port}"

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
    """The article, the rotations and the category page, chosen by the ORM."""
    script = (
        "import json\n"
        "from urllib.parse import quote\n"
        "from articles.models import Article, Category\n"
        "public = list(Article.objects.published().order_by('-published_at')[:2000])\n"
        "root = max(Category.objects.roots(), key=lambda c: c.articles.count())\n"
        "print(json.dumps({'article': public[len(public) // 2].get_absolute_url(),\n"
        "  'rotation': [a.get_absolute_url() for a in public[::4][:500]],\n"
        "  'search': ['/search/?q=' + quote(a.title[:2]) for a in public[::20][:100]],\n"
        "  'category': root.get_absolute_url(), 'count': Article.objects.count()}))\n"
    )
    out = run([PY, "manage.py", "shell", "-c", script], env, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(env, workers, **settings):
    """gunicorn on a free port with `settings` added to the environment; returns it and its
    base URL."""
    port = free_port()
    base = BASE.format(port=port)
    env = dict(env, NEWSARCHIVE_BENCH_SERVER="1", DJANGO_SETTINGS_MODULE="serve_bench")
    env.update(settings)
    cmd = [GUNICORN, "-c", "newsarchive/gunicorn.conf.py", "--pythonpath", "bench"]
    cmd += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    # No recycling: gunicorn.conf.py restarts a worker every ~5,000 requests, and a restart
    # (boot plus empty per-process caches) landed in whichever row it happened to hit.
    cmd += ["--max-requests", "0", "--access-logfile", "/dev/null", "newsarchive.wsgi"]
    server = subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True)
    for _ in range(100):
        if server.poll() is not None:
            raise SystemExit("gunicorn exited while starting")
        try:
            with urllib.request.urlopen(base + "/bench/ceiling/", timeout=10) as response:
                if response.status == 200:
                    return server, base
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


def load(base, path, args, lua=None, env=None):
    """One bounded wrk run (after a short warm-up that fills the caches)."""
    # --timeout: wrk's default of 2 s counted slow answers as socket errors whenever the
    # (shared) machine was busy; slowness is what p99 reports, errors should be failures.
    cmd = ["wrk", "-t", "2", "-c", str(args.connections), "--latency", "--timeout", "10s"]
    if lua:
        cmd += ["-s", lua]
    url = base + path
    subprocess.run([*cmd, "-d", "2s", url], env=env, capture_output=True, check=True)
    result = subprocess.run(
        [*cmd, "-d", f"{args.duration}s", url], env=env, capture_output=True, text=True, check=True
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
        pages = [f"?page={n}" for n in range(2, 102)]
        rotations = {
            "articles": paths["rotation"],
            "home": [f"/{p}" for p in pages],
            "category": [paths["category"] + p for p in pages],
            "search": paths["search"],
        }

        def rotating(base, name):
            listing = Path(tmp) / f"{name}.txt"
            listing.write_text("\n".join(rotations[name]) + "\n")
            env = dict(os.environ, BENCH_PATHS=str(listing))
            return load(base, "/", args, lua=str(lua), env=env)

        cached = [
            ("home page", lambda base: load(base, "/", args)),
            ("article page", lambda base: load(base, paths["article"], args)),
            ("category page (largest root)", lambda base: load(base, paths["category"], args)),
        ]
        uncached = [
            (
                f"article pages, {len(paths['rotation'])} rotating",
                lambda base: rotating(base, "articles"),
            ),
            ("home pages 2-101, rotating", lambda base: rotating(base, "home")),
            ("category pages 2-101, rotating", lambda base: rotating(base, "category")),
            (f"searches, {len(paths['search'])} rotating", lambda base: rotating(base, "search")),
        ]
        tables = []
        for label, rows, settings in (
            ("page cache on", cached, {}),
            ("page cache off", uncached, {"NEWSARCHIVE_PAGE_CACHE_SECONDS": "0"}),
        ):
            server, base = start_server(env, args.workers, **settings)
            try:
                measured = [("ceiling: trivial HttpResponse", load(base, "/bench/ceiling/", args))]
                measured += [(name, measure(base)) for name, measure in rows]
            finally:
                stop_server(server)
            tables.append((label, measured))

    print(
        f"\n{paths['count']} articles, {database_url.split(':')[0]}, gunicorn {args.workers} sync "
        f"workers, wrk 2 threads / {args.connections} connections / {args.duration}s per row\n"
    )
    print("| server | page | req/s | % of ceiling | p50 ms | p99 ms | requests | errors |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for label, rows in tables:
        ceiling = rows[0][1]["rps"]
        for name, r in rows:
            print(
                f"| {label} | {name} | {r['rps']:.0f} | {100 * r['rps'] / ceiling:.0f}% "
                f"| {r['p50']:.2f} | {r['p99']:.2f} | {r['requests']} | {r['errors']} |"
            )
    (_, on), (_, off) = tables
    cached_share = on[2][1]["rps"] / on[0][1]["rps"]
    uncached_share = off[1][1]["rps"] / off[0][1]["rps"]
    errors = any(r["errors"] for _, rows in tables for _, r in rows)
    ok = cached_share >= 0.6 and uncached_share >= 0.35 and not errors
    print(
        "\ntargets (article >= 60% of the ceiling, rotating uncached articles >= 35%, 0 errors): "
        f"{'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
