"""Every article of a real corpus survives being opened in the admin, touched and saved.

The corpus: both copies of the seeds, every real crawler file of tests/fixtures/crawler_feeds/
and Hexo's edge-case posts (../shared/corpus), imported by the real importer. For each
article, in one browser page logged in once: open its change form, type a character into
the body and delete it (the editor then sends its own HTML), save, and compare the stored
body before and after: what a reader gets from it (tests/body_structure.py: images with src,
alt and caption, links, tables cell by cell, headings, list items, code and its
highlighting, paragraphs, formatting, ids, classes, text), the image rows and the
publication time; then the saved body goes through the editor once more and must come back
byte for byte (the editor's form of a body is stable). One test per file, each with its own
diff.
"""

import difflib
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Error as PlaywrightError

from articles.content import derive
from articles.importing.reading import POST_SUFFIXES
from articles.importing.runner import import_paths
from articles.models import Article
from tests.body_structure import structure
from tests.browser.conftest import ARTIFACTS
from tests.conftest import ROOT, SEEDS, SHARED

CRAWLER = ROOT / "tests" / "fixtures" / "crawler_feeds"
ROOTS = {"seeds": SEEDS, "crawler_feeds": CRAWLER, "corpus": SHARED / "corpus"}
SHARED_SEEDS = SHARED / "seeds"
# Files the importer refuses by design, with a word of its reason; each stays a test case,
# which fails if the file starts to import (it then has to round-trip like the others).
REFUSED = {
    # 雪球's unquoted `title: @…` is not YAML; Hexo refuses the file too.
    "crawler_feeds/金融/@大道无形我有型 关注了股票 台积电.md": "YAML",
}
# Known: the first save keeps a blank at the edge of a paragraph that the second save trims
# (a reader sees nothing; only the bytes move). Every other check still holds for them, and
# they fail here once the bytes stop moving, so that the entry goes.
UNSTABLE_BYTES = {
    "crawler_feeds/传统媒体/100余幅烙铁画讲述了什么？沪郊小镇探索党史学习教育生动形式.md",
    "crawler_feeds/设计/Axis Studios - Work type/Avowed.md",
}
# The page keeps the editor the widget made, so the test can read what it will send, and
# marks the moment it is ready (waiting on that needs no script evaluation, which the CSP
# forbids).
READY_HOOK = """
document.addEventListener("prose-editor:ready", (event) => {
  window.roundTripEditor = event.detail.editor
  document.documentElement.dataset.editorReady = "yes"
})
"""
# The caret at the end of the first paragraph (or heading, or caption), as a click there puts
# it; a real click could land on a picture that is still loading and moving the text, and
# typing would then replace the picture.
CARET = """() => {
  const editor = window.roundTripEditor
  let caret = null
  editor.state.doc.descendants((node, pos) => {
    if (caret === null && node.isTextblock && !node.type.spec.code) {
      caret = pos + 1 + node.content.size
    }
    return caret === null
  })
  editor.view.focus()
  editor.commands.setTextSelection(caret ?? editor.state.doc.content.size)
}"""
# A saved body through the editor again, parsed the way a change form parses it.
RELOAD = """body => {
  window.roundTripEditor.commands.setContent(body)
  return window.roundTripEditor.getHTML()
}"""


def post_files(root):
    # Fixture folders document themselves in a README.md; it is not a post.
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file()
        and path.suffix.lower() in POST_SUFFIXES
        and path.name != "README.md"
        and not any(part.startswith(".") for part in path.relative_to(root).parts)
    )


CASES = [
    f"{name}/{path.relative_to(root).as_posix()}"
    for name, root in ROOTS.items()
    for path in post_files(root)
]


def test_the_corpus_is_all_there():
    counts = {name: sum(case.startswith(f"{name}/") for case in CASES) for name in ROOTS}
    assert counts["seeds"] >= 2 and counts["crawler_feeds"] >= 39 and counts["corpus"] >= 73
    # The shared seeds are the checked-in ones byte for byte, so their cases cover both.
    shared = {path.name: path.read_bytes() for path in post_files(SHARED_SEEDS)}
    assert shared == {path.name: path.read_bytes() for path in post_files(SEEDS)}


def import_corpus():
    """{case: article id, or the importer's error for it}."""
    found = {}
    for name, root in ROOTS.items():
        outcomes = []
        import_paths([str(root)], zone_name="Asia/Shanghai", report=outcomes.append)
        for outcome in outcomes:
            found[f"{name}/{outcome.rel_path}"] = outcome.article_id or outcome.error
    return found


class Editor:
    """One logged-in page that opens, touches and saves articles."""

    def __init__(self, context, base_url):
        self.page, self.base_url = context.new_page(), base_url
        self.scratch = None
        self.errors = []
        self.page.on("pageerror", lambda error: self.errors.append(f"script error: {error}"))
        self.page.on("console", self.console)
        self.page.on("response", self.response)
        self.page.add_init_script(READY_HOOK)
        # Where a save redirects to, the changelist, is not under test: it is answered in the
        # browser. Through CDP because Playwright's own routing turns the HTTP cache off, and
        # every change form would then fetch all of the admin's and the editor's files again.
        self.cdp = context.new_cdp_session(self.page)
        self.cdp.on("Fetch.requestPaused", self.answer_changelist)
        self.changelist = f"{base_url}/admin/articles/article/"
        self.cdp.send("Fetch.enable", {"patterns": [{"urlPattern": self.changelist}]})

    def answer_changelist(self, event):
        self.cdp.send(
            "Fetch.fulfillRequest",
            {"requestId": event["requestId"], "responseCode": 200, "body": ""},
        )

    def console(self, message):
        # A missing resource is told by response() with its URL; pictures may be missing.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(f"console: {message.text}")

    def response(self, response):
        # Pictures: hot-linked ones cannot load (no network), site-relative ones are not here.
        if response.status >= 400 and response.request.resource_type != "image":
            self.errors.append(f"{response.status} for {response.url}")

    def touch_and_save(self, pk):
        """Type a character into the body and delete it, as an editor fixing a typo would;
        save. Returns the problems seen."""
        page, problems = self.page, []
        self.errors.clear()
        page.goto(
            f"{self.base_url}/admin/articles/article/{pk}/change/", wait_until="domcontentloaded"
        )
        page.locator("html[data-editor-ready]").wait_for(state="attached")
        page.evaluate(CARET)
        page.keyboard.type("x")
        page.keyboard.press("Backspace")
        sent, held = page.evaluate(
            "[document.querySelector('textarea[name=body_html]').value,"
            " window.roundTripEditor.getHTML()]"
        )
        if sent != held:
            problems.append("the form does not send what the editor holds")
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            page.locator('input[name="_save"]').click()
        if posted.value.status == 302:
            # The redirect lands before the next article is opened: a changelist answered
            # late would otherwise replace that article's change form.
            page.wait_for_url(self.changelist, wait_until="commit")
        else:
            page.wait_for_load_state("domcontentloaded")
            errors = page.locator(".errorlist, .errornote").all_inner_texts()
            problems.append(f"save refused ({posted.value.status}): {errors}")
        return problems + self.errors

    def close(self):
        self.page.close()
        if self.scratch is not None:
            self.scratch.close()

    def reload(self, pk, body):
        """`body` as the editor of a second page (never saved) reads and writes it."""
        if self.scratch is None:
            self.scratch = self.page.context.new_page()
            self.scratch.add_init_script(READY_HOOK)
            self.scratch.goto(f"{self.base_url}/admin/articles/article/{pk}/change/")
            self.scratch.locator("html[data-editor-ready]").wait_for(state="attached")
        return self.scratch.evaluate(RELOAD, body)


def differences(before, after):
    """What differs between two structure() dicts, key by key, as unified diffs."""
    lines = []
    for key in before:
        if before[key] != after[key]:
            old = json.dumps(before[key], ensure_ascii=False, indent=1).splitlines()
            new = json.dumps(after[key], ensure_ascii=False, indent=1).splitlines()
            diff = difflib.unified_diff(old, new, "before", "after", n=1, lineterm="")
            lines += [f"{key}:", *diff]
    return lines


BYTES_MOVED = "saving once more changes the bytes:"


def byte_differences(saved, again):
    split = lambda html: re.sub(r">\s*<", ">\n<", html).splitlines()  # noqa: E731
    diff = difflib.unified_diff(
        split(saved), split(again), "saved", "saved again", n=1, lineterm=""
    )
    return [BYTES_MOVED, *list(diff)[2:40]]


def image_rows(article):
    return [(image.src, image.alt, image.caption) for image in article.images.all()]


def round_trip(editor, article):
    problems = editor.touch_and_save(article.pk)
    stored = Article.objects.get(pk=article.pk)
    problems += differences(structure(article.body_html), structure(stored.body_html))
    if image_rows(stored) != image_rows(article):
        problems.append(f"image rows: {image_rows(article)} -> {image_rows(stored)}")
    if stored.published_at != article.published_at:
        problems.append(f"published_at: {article.published_at} -> {stored.published_at}")
    reloaded = editor.reload(stored.pk, stored.body_html)
    again = derive(title=stored.title, body_html=reloaded).body_html
    if again != stored.body_html:
        problems += byte_differences(stored.body_html, again)
    return problems


def browser_failure(editor, case, error):
    """A case the browser could not finish: what it showed, kept for the CI log and the
    artifacts, so that the other cases still run."""
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", case)
    shot = ARTIFACTS / f"editor-round-trip-{name}.png"
    try:
        editor.page.screenshot(path=str(shot))
        shown = f"{editor.page.url}, title {editor.page.title()!r}"
    except PlaywrightError as failure:
        shown = f"no screenshot ({failure})"
    return [f"browser: {error}", f"page: {shown}", f"screenshot: {shot.name}"]


@pytest.fixture(scope="module")
def round_trips(request, django_db_setup, django_db_blocker, live_server, chromium_browser):
    """{case: the problems of its round trip, or the importer's error}, for the cases this
    run selected (all of them unless -k says otherwise), in one browser page."""
    selected = {
        item.callspec.params["case"]
        for item in request.session.items
        if "case" in getattr(getattr(item, "callspec", None), "params", {})
    }
    try:
        with django_db_blocker.unblock():
            results = run_round_trips(live_server.url, chromium_browser, selected)
        yield results
    finally:
        # Also after a failure: the other browser modules expect an empty database.
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)


def run_round_trips(base_url, chromium_browser, selected):
    found = import_corpus()
    user = get_user_model().objects.create_superuser("chief", "c@example.com", "pw-chief-1")
    client = Client()
    client.force_login(user)
    context = chromium_browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale="zh-CN",
        # No network: everything but the live server goes to a closed port. (Routing
        # would do it too, but turns the HTTP cache off.)
        proxy={"server": "http://127.0.0.1:9", "bypass": "localhost,127.0.0.1"},
    )
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )
    editor, results = Editor(context, base_url), {}
    try:
        for case, article_id in found.items():
            if case not in selected:
                continue
            if not isinstance(article_id, int):
                results[case] = article_id
                continue
            try:
                results[case] = round_trip(editor, Article.objects.get(pk=article_id))
            except PlaywrightError as error:
                results[case] = browser_failure(editor, case, error)
                editor.close()
                editor = Editor(context, base_url)
    finally:
        context.close()
    return results


@pytest.mark.parametrize("case", CASES, ids=CASES)
def test_touching_the_body_keeps_the_article(round_trips, case):
    assert case in round_trips, f"the importer did not report {case}"
    result = round_trips[case]
    if case in REFUSED:
        assert isinstance(result, str) and REFUSED[case] in result, result
    elif isinstance(result, str):
        pytest.fail(f"the importer refused {case}: {result}", pytrace=False)
    elif case in UNSTABLE_BYTES:
        kept = result[: result.index(BYTES_MOVED)] if BYTES_MOVED in result else result
        if kept:
            pytest.fail("\n".join([f"{case} changed:", *kept]), pytrace=False)
        assert BYTES_MOVED in result, f"{case}: a second save keeps the bytes now; unlist it"
    elif result:
        pytest.fail("\n".join([f"{case} changed:", *result]), pytrace=False)
