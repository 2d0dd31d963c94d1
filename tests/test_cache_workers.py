"""Readers see an edit at once on every gunicorn worker and, with Redis, on every machine.

Real gunicorn under production settings against a scratch database (a SQLite file, or a new
database on DATABASE_URL's PostgreSQL server), the seeds imported by import_articles, an
editor who logs in over HTTP and edits and unpublishes through the admin's own forms, and
anonymous readers whose requests run several at a time, so that several workers answer
them (each access-log line names the worker's pid, and the test checks that they did).
"""

import json
import os
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
import redis
from bs4 import BeautifulSoup

from bench.load_bench import (
    PROXY_HEADERS,
    ROOT,
    Server,
    free_port,
    manage,
    production_env,
    scratch_database,
)

pytestmark = pytest.mark.slow

SEEDS = ROOT / "fixtures" / "posts"
EDITED = "000_72b6288f2e261dc3.txt"  # edited, then unpublished, in the admin
REIMPORTED = "002_8ef881cf10f448ae.txt"  # re-imported with new categories
EDITOR, PASSWORD = "editor", "pw-editor-4471-long"
READS = 20
NEW_TITLE = "吉林省委书记景俊海：一鼓作气（编辑改过）"

ARTICLES = """
import json
from articles.models import Article
print(json.dumps({a.source_path: [a.pk, a.get_absolute_url(), a.title]
                  for a in Article.objects.all()}))
"""


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirects)


def fetch(url, data=None, cookies=None):
    """(status, headers, text) of one request as the TLS proxy hands it on; no redirects.

    Cookies are sent by hand: the site marks them Secure, and the proxy's https stops here.
    """
    headers = dict(PROXY_HEADERS)
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    body = None
    if data is not None:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        # What a browser sends with a form post over https: CSRF checks the origin.
        parts = urllib.parse.urlsplit(url)
        headers["Origin"] = f"https://{parts.netloc}"
        headers["Referer"] = url.replace("http://", "https://", 1)
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with OPENER.open(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def form_data(html, selector):
    """What a browser would submit for the form: every named field as the page fills it."""
    form = BeautifulSoup(html, "html.parser").select_one(selector)
    assert form is not None, f"no {selector} on the page"
    data = []
    for field in form.select("input, select, textarea"):
        name = field.get("name")
        if not name or field.has_attr("disabled"):
            continue
        if field.name == "select":
            chosen = field.select("option[selected]")
            data += [(name, option.get("value", option.text)) for option in chosen]
        elif field.name == "textarea":
            data.append((name, field.text.removeprefix("\n")))  # as browsers read it
        else:
            kind = field.get("type", "text")
            if kind in ("submit", "button", "image", "file", "reset"):
                continue
            if kind in ("checkbox", "radio") and not field.has_attr("checked"):
                continue
            data.append((name, field.get("value", "on" if kind in ("checkbox", "radio") else "")))
    return data


class Editor:
    """A signed-in editor on one server: the admin's login, change form and actions."""

    def __init__(self, base):
        self.base, self.cookies = base, {}

    def request(self, path, data=None):
        status, headers, text = fetch(self.base + path, data, self.cookies)
        for header in headers.get_all("Set-Cookie") or []:
            self.cookies.update((k, m.value) for k, m in SimpleCookie(header).items())
        return status, text

    def login(self):
        _, page = self.request("/admin/login/?next=/admin/")
        data = dict(form_data(page, "#login-form"), username=EDITOR, password=PASSWORD)
        status, _ = self.request("/admin/login/?next=/admin/", data)
        assert status == 302 and "sessionid" in self.cookies, "the editor could not log in"

    def change_title(self, pk, title):
        path = f"/admin/articles/article/{pk}/change/"
        _, page = self.request(path)
        data = [(k, title if k == "title" else v) for k, v in form_data(page, "#article_form")]
        status, text = self.request(path, [*data, ("_save", "保存")])
        assert status == 302, text[:3000]

    def unpublish(self, pk):
        path = "/admin/articles/article/"
        _, page = self.request(path)
        token = dict(form_data(page, "#changelist-form"))["csrfmiddlewaretoken"]
        data = {"csrfmiddlewaretoken": token, "action": "unpublish", "_selected_action": pk}
        status, text = self.request(path, data)
        assert status == 302, text[:3000]


class Site:
    """Gunicorn servers sharing one database (and with Redis, one cache)."""

    def __init__(self, env, servers):
        self.env, self.servers = env, servers
        self.logged = dict.fromkeys(servers, 0)

    def read(self, path):
        """READS anonymous GETs of `path`, six at a time, spread over every server.

        Returns (status, html) pairs and the pids of the workers that answered them.
        """
        for server in self.servers:
            self.logged[server] = access_lines(server)
        urls = [self.servers[n % len(self.servers)].base + path for n in range(READS)]
        with ThreadPoolExecutor(max_workers=6) as pool:
            answers = list(pool.map(lambda url: fetch(url)[::2], urls))
        pids = set()
        for server in self.servers:
            lines = access_log(server).splitlines()[self.logged[server] :]
            pids |= {(server.port, line.split()[0]) for line in lines}
        return answers, pids

    def articles(self):
        out = manage(self.env, "shell", "-c", ARTICLES, capture_output=True, text=True)
        return json.loads(out.stdout.strip().splitlines()[-1])


def access_log(server):
    return Path(server.log_path.with_suffix(".access")).read_text(errors="replace")


def access_lines(server):
    return len(access_log(server).splitlines())


def start_server(env, tmp_path, name, workers):
    log = tmp_path / f"{name}.log"
    access = log.with_suffix(".access")
    access.touch()
    args = ["--access-logfile", str(access), "--access-logformat", "%(p)s %(s)s"]
    return Server(env, log, workers=workers, args=args)


def prepare(env):
    manage(env, "import_articles", SEEDS, "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    admin_env = dict(env, DJANGO_SUPERUSER_USERNAME=EDITOR, DJANGO_SUPERUSER_PASSWORD=PASSWORD)
    manage(admin_env, "ensure_admin", capture_output=True)


def assert_every_reader(answers, pids, check, what):
    failed = [(status, html[:200]) for status, html in answers if not check(status, html)]
    assert failed == [], f"{len(failed)} of {READS} readers did not see {what}: {failed[:2]}"
    assert len(pids) >= 2, f"only {pids} answered: the reads did not reach several workers"


def edit_unpublish_import(site, tmp_path):
    """The scenario of both tests: readers warm every cache, then each change is seen."""
    articles = site.articles()
    pk, url, title = articles[EDITED]
    home = "/"

    answers, pids = site.read(url)
    assert_every_reader(answers, pids, lambda s, html: s == 200 and title in html, "the article")
    site.read(home)

    editor = Editor(site.servers[0].base)
    editor.login()
    editor.change_title(pk, NEW_TITLE)
    heading = f'<h1 lang="zh-Hans">{NEW_TITLE}</h1>'
    answers, pids = site.read(url)
    assert_every_reader(answers, pids, lambda s, html: s == 200 and heading in html, "the edit")
    answers, pids = site.read(home)
    assert_every_reader(answers, pids, lambda s, html: NEW_TITLE in html, "the edit on /")

    editor.unpublish(pk)
    answers, pids = site.read(url)
    assert_every_reader(answers, pids, lambda s, html: s == 404, "the article unpublished")
    answers, pids = site.read(home)
    assert_every_reader(
        answers, pids, lambda s, html: s == 200 and NEW_TITLE not in html, "it gone from /"
    )

    changed = tmp_path / "posts"
    changed.mkdir()
    text = (SEEDS / REIMPORTED).read_text(encoding="utf-8")
    old_chain = " - 金融\n - 新浪财经\n - 新浪财经－国內\n"
    assert old_chain in text
    (changed / REIMPORTED).write_text(text.replace(old_chain, " - 吉林\n - 疫情防控\n"))
    manage(site.env, "import_articles", changed, "-v0")
    menu_link = '">吉林</a>'
    answers, pids = site.read(home)
    assert_every_reader(answers, pids, lambda s, html: menu_link in html, "the new category")
    _, reimported_url, _ = articles[REIMPORTED]
    answers, pids = site.read(reimported_url)
    assert_every_reader(
        answers, pids, lambda s, html: ">疫情防控</a>" in html, "the article's new category"
    )


def test_locmem_cache_every_worker_sees_edit_unpublish_and_import(tmp_path):
    with scratch_database(tmp_path, "na_cache_locmem") as url:
        env = production_env(url)
        env.pop("CACHE_URL", None)  # the default: a cache per worker process
        prepare(env)
        with start_server(env, tmp_path, "locmem", workers=3) as server:
            edit_unpublish_import(Site(env, [server]), tmp_path)


@pytest.fixture
def redis_url(tmp_path):
    """CACHE_URL's Redis when one is given (CI starts it with scripts/redis.sh), else a
    server of our own started by the same script on a free port and stopped afterwards."""
    given = os.environ.get("CACHE_URL", "")
    if given.startswith("redis://"):
        yield given
        return
    folder = tmp_path / "redis"
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / "redis.sh"), str(free_port())],
        env=dict(os.environ, REDIS_DIR=str(folder)),
        capture_output=True,
        text=True,
        check=True,
    )
    line = out.stdout.strip().splitlines()[-1]
    assert line.startswith("export CACHE_URL=redis://127.0.0.1:"), out
    try:
        yield line.removeprefix("export CACHE_URL=")
    finally:
        os.kill(int((folder / "redis.pid").read_text()), 15)


def test_redis_two_servers_see_edit_unpublish_and_import(tmp_path, redis_url):
    with scratch_database(tmp_path, "na_cache_redis") as url:
        # Keys of this run only, so a shared Redis (CI's) is neither read stale nor flushed.
        prefix = f"test-{os.getpid()}-{tmp_path.name}"
        env = production_env(url, CACHE_URL=redis_url, CACHE_KEY_PREFIX=prefix)
        prepare(env)
        with ExitStack() as stack:
            servers = [
                stack.enter_context(start_server(env, tmp_path, name, workers=2))
                for name in ("machine-a", "machine-b")
            ]
            edit_unpublish_import(Site(env, servers), tmp_path)
            status, _, body = fetch(servers[1].base + "/healthz")
            assert (status, json.loads(body)["cache"]) == (200, "ok")
        # The pages really were kept in Redis, not in each worker.
        pages = redis.Redis.from_url(redis_url).keys(f"{prefix}:*:page:*")
        assert len(pages) >= 4, pages
