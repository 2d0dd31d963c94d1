#!/usr/bin/env python3
"""Load test: the public site under many connections, alone and while an import writes.

    .venv/bin/python bench/load_bench.py [--count 2000] [--duration 60] [--connections 64]

1. generates --count articles with ../shared/tools/make_corpus.py and imports them into a
   scratch database: a SQLite file, or a new database next to DATABASE_URL's (PostgreSQL),
   dropped at the end;
2. serves the site with real gunicorn on 127.0.0.1 (a free port) with the production
   settings: DEBUG=0, SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, page cache on;
3. drives it with wrk over a mix of URLs (home, rotating article pages, category pages,
   searches, feeds), every request carrying X-Forwarded-Proto: https as the TLS proxy would
   (without it the site answers 301 to https);
4. does it twice: alone, then while `import_articles --jobs 2` writes fresh files (a first
   pass creates them, --force passes rewrite them until the window ends);
5. prints a Markdown table: req/s, p50, p99, socket errors, non-2xx/3xx and 5xx for each.

The exit status is 1 when any request failed. tests/test_load.py runs it as a test.
Everything here is also the toolkit of tests/test_faults.py: scratch databases, a gunicorn
under production settings, corpus generation.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
MAKE_CORPUS = ROOT.parent / "shared" / "tools" / "make_corpus.py"
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}  # what the TLS-terminating proxy adds

# URL mix: share of requests per kind of page.
MIX = {"home": 15, "article": 45, "category": 15, "search": 10, "feed": 15}

# wrk: one path per request from the mix file; counts 5xx itself (wrk's own "Non-2xx or 3xx"
# lumps 404s in) and reports them from done() summed over its threads.
MIX_LUA = """
local paths = {}
for line in io.lines(os.getenv("LOAD_PATHS")) do paths[#paths + 1] = line end
wrk.headers["X-Forwarded-Proto"] = "https"
local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end
function init(args)
  server_errors = 0
  math.randomseed(id * 7919)
end
function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
function response(status, headers, body)
  if status >= 500 then server_errors = server_errors + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("server_errors") end
  io.write(string.format("5xx responses: %d\\n", total))
end
"""


def manage(env, *args, **kwargs):
    """Run manage.py in a child process (the site's own code, as operators run it)."""
    kwargs.setdefault("check", True)
    return subprocess.run([PY, "manage.py", *map(str, args)], env=env, cwd=ROOT, **kwargs)


def make_corpus(folder, count, seed=7):
    folder = Path(folder)
    if not (folder / "MANIFEST.tsv").exists():
        subprocess.run(
            [sys.executable, str(MAKE_CORPUS), folder, "--count", str(count), "--seed", str(seed)],
            check=True,
            capture_output=True,
        )
    return folder


def base_database_url():
    return os.environ.get("DATABASE_URL", "")


def is_postgres(url):
    return url.startswith(("postgres://", "postgresql://"))


@contextmanager
def scratch_database(workdir, name):
    """A new, migrated, empty database for child processes; yields its DATABASE_URL.

    PostgreSQL when DATABASE_URL points at one (a database `name` on that server, dropped
    afterwards, whoever is still connected), else a SQLite file in workdir.
    """
    base = base_database_url()
    if not is_postgres(base):
        url = f"sqlite:///{Path(workdir) / name}.sqlite3"
        manage(dict(os.environ, DATABASE_URL=url, DEBUG="1"), "migrate", "--noinput", "-v0")
        yield url
        return
    import psycopg

    parts = urlsplit(base)
    url = urlunsplit(parts._replace(path="/" + name))
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        manage(dict(os.environ, DATABASE_URL=url, DEBUG="1"), "migrate", "--noinput", "-v0")
        yield url
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def production_env(database_url, **extra):
    env = dict(os.environ)
    # The browser tests set it for their own process; `check --deploy` refuses it, rightly.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        DEBUG="0",
        SECRET_KEY="load-test-only-secret-key-not-for-production-0123456789abcdef",
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="newsarchive.settings",
    )
    env.update(extra)
    return env


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url, timeout=30):
    """(status, body) of one GET as the proxy would send it; HTTP errors are answers too."""
    request = urllib.request.Request(url, headers=PROXY_HEADERS)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class Server:
    """gunicorn with the project's config on a free 127.0.0.1 port; its log kept in a file."""

    def __init__(self, env, log_path, workers=None, args=()):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(log_path)
        cmd = [GUNICORN, "-c", "newsarchive/gunicorn.conf.py", "--bind", f"127.0.0.1:{self.port}"]
        if workers:
            cmd += ["--workers", str(workers)]
        cmd += list(args)
        self.log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            [*cmd, "newsarchive.wsgi"],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_ready()

    def wait_ready(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited while starting:\n{self.log_tail()}")
            try:
                if get(self.base + "/", timeout=10)[0] == 200:
                    return
            except OSError:  # refused while booting, or a timeout: both mean "not yet"
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within 60 s:\n{self.log_tail()}")

    def log_tail(self, lines=40):
        self.log.flush()
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


PICK_PATHS = """
import json, random
from django.urls import reverse
from articles.models import Article, Category
rng = random.Random(3)
public = list(Article.objects.published().order_by('-published_at')[:2000])
categories = list(Category.objects.all())
words = [a.title[:2] for a in rng.sample(public, min(20, len(public)))]
words += [a.title[3:7] for a in rng.sample(public, min(20, len(public)))]
print(json.dumps({
  'home': ['/'],
  'article': [a.get_absolute_url() for a in public[::10][:100]],
  'category': [c.get_absolute_url() for c in categories],
  'search': ['/search/?q=' + w for w in words],
  'feed': ['/feeds/rss.xml', '/feeds/atom.xml'] + [
     reverse('articles:category_feed_rss', kwargs={'path': c.slug_path}) for c in categories],
  'count': Article.objects.count(),
}))
"""


def pick_paths(env):
    """URLs of each kind, chosen through the ORM and reverse() like the site links them."""
    out = manage(env, "shell", "-c", PICK_PATHS, capture_output=True, text=True)
    paths = json.loads(out.stdout.strip().splitlines()[-1])
    paths["search"] = [quote(p, safe="/?=") for p in paths["search"]]
    return paths


def mixed_paths(paths, size=2000):
    """`size` paths with each kind's share of MIX, cycling through that kind's URLs."""
    mixed = []
    for kind, share in MIX.items():
        urls = paths[kind]
        mixed += [urls[n % len(urls)] for n in range(size * share // sum(MIX.values()))]
    return mixed


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(text):
    def latency(label):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
        return float(match.group(1)) * UNITS[match.group(2)]

    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return {
        "requests": int(re.search(r"(\d+) requests in", text).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": sum(map(int, socket_errors.groups())) if socket_errors else 0,
        "non_2xx_3xx": int(non_2xx.group(1)) if non_2xx else 0,
        "5xx": int(re.search(r"5xx responses: (\d+)", text).group(1)),
    }


def run_wrk(base, mix_file, lua_file, duration, connections):
    # A 10 s client timeout, not wrk's 2 s: a reader's browser waits longer than that, and a
    # slow answer should show in p99, not vanish into "errors".
    cmd = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--latency"]
    cmd += ["--timeout", "10s", "-s", str(lua_file), base + "/"]
    env = dict(os.environ, LOAD_PATHS=str(mix_file))
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return parse_wrk(result.stdout) | {"raw": result.stdout}


class BackgroundImport(threading.Thread):
    """Imports fresh files, then re-imports them with --force, until stopped."""

    def __init__(self, env, root, jobs=2):
        super().__init__(daemon=True)
        self.env, self.root, self.jobs = env, root, jobs
        self.stopping = threading.Event()
        self.passes = []  # (seconds, return code, summary line, stderr tail)

    def run(self):
        force = []
        while not self.stopping.is_set():
            started = time.monotonic()
            result = manage(
                self.env,
                "import_articles",
                self.root,
                "--jobs",
                self.jobs,
                "-v1",
                *force,
                check=False,
                capture_output=True,
                text=True,
            )
            summary = (result.stdout.strip().splitlines() or [""])[-1]
            self.passes.append(
                (time.monotonic() - started, result.returncode, summary, result.stderr[-2000:])
            )
            if result.returncode:
                return
            force = ["--force"]

    def stop(self):
        self.stopping.set()
        self.join()

    def files_written(self):
        return sum(
            int(n)
            for _, _, summary, _ in self.passes
            for n in re.findall(r"(\d+) (?:created|updated)", summary)
        )


def run_load(workdir, count=2000, fresh=500, duration=60, connections=64, workers=None):
    """Both phases on a scratch database; returns (rows, details) for markdown()."""
    workdir = Path(workdir)
    corpus = make_corpus(workdir / "corpus", count, seed=7)
    # Fresh files live one directory down, so their import paths ("fresh/...") are new ones.
    make_corpus(workdir / "fresh-root" / "fresh", fresh, seed=8)
    name = f"newsarchive_load_{os.getpid()}"
    with scratch_database(workdir, name) as url:
        env = production_env(url)
        started = time.monotonic()
        manage(env, "import_articles", corpus, "--jobs", "2", "-v0")
        import_seconds = time.monotonic() - started
        manage(env, "collectstatic", "--noinput", "-v0")
        paths = pick_paths(env)
        mix_file, lua_file = workdir / "mix.txt", workdir / "mix.lua"
        mix_file.write_text("\n".join(mixed_paths(paths)) + "\n")
        lua_file.write_text(MIX_LUA)
        with Server(env, workdir / "gunicorn.log", workers) as server:
            run_wrk(server.base, mix_file, lua_file, 5, connections)  # warm the caches
            alone = run_wrk(server.base, mix_file, lua_file, duration, connections)
            importer = BackgroundImport(env, workdir / "fresh-root")
            importer.start()
            try:
                loaded = run_wrk(server.base, mix_file, lua_file, duration, connections)
            finally:
                importer.stop()
            log = server.log_tail(200)
    details = {
        "articles": paths["count"],
        "database": "PostgreSQL" if is_postgres(url) else "SQLite",
        "import_seconds": import_seconds,
        "passes": importer.passes,
        "files_written": importer.files_written(),
        "server_log": log,
        "paths": {kind: len(paths[kind]) for kind in MIX},
    }
    return [("alone", alone), ("while importing", loaded)], details


def markdown(rows, details, duration, connections):
    mix = ", ".join(f"{kind} {share}%" for kind, share in MIX.items())
    kinds = ", ".join(f"{n} {kind}" for kind, n in details["paths"].items())
    passes = details["passes"]
    lines = [
        f"{details['articles']} articles on {details['database']} (imported in "
        f"{details['import_seconds']:.0f} s), gunicorn sync workers, production settings; "
        f"wrk 2 threads, {connections} connections, {duration} s per row, 10 s timeout.",
        f"URL mix: {mix} (distinct URLs: {kinds}).",
        f"Concurrent import: `import_articles --jobs 2` of fresh files, {len(passes)} pass(es) "
        f"(first creates, then --force), {details['files_written']} files written; "
        f"exit codes {[p[1] for p in passes]}.",
        "",
        "| URL mix | import | requests | req/s | p50 ms | p99 ms | socket errors "
        "| non-2xx/3xx | 5xx |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, r in rows:
        lines.append(
            f"| home/article/category/search/feed | {label} | {r['requests']} | {r['rps']:.0f} "
            f"| {r['p50']:.1f} | {r['p99']:.1f} | {r['errors']} | {r['non_2xx_3xx']} "
            f"| {r['5xx']} |"
        )
    return "\n".join(lines) + "\n"


def failed(rows, details):
    bad_requests = any(r["errors"] or r["non_2xx_3xx"] or r["5xx"] for _, r in rows)
    bad_import = not details["passes"] or any(p[1] for p in details["passes"])
    return bad_requests or bad_import


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="articles served")
    parser.add_argument("--fresh", type=int, default=500, help="files the concurrent import adds")
    parser.add_argument("--duration", type=int, default=60, help="seconds per phase")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: its config)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")
    with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp:
        rows, details = run_load(
            tmp, args.count, args.fresh, args.duration, args.connections, args.workers
        )
    print(markdown(rows, details, args.duration, args.connections))
    if failed(rows, details):
        print(details["server_log"], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
