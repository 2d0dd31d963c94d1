"""A reader on imported blog posts in a real browser: highlighted code coloured by our own
stylesheet under the strict CSP, aligned table cells, footnotes that jump, and a Hexo
post_link that leads to the other imported post."""

import shutil

import pytest
from django.core.cache import cache
from django.core.management import call_command

from articles.models import Article
from tests.conftest import SHARED

HEXO_POSTS = SHARED / "corpus" / "hexojs+hexo-theme-unit-test" / "source" / "_posts"
LINKING_POST = """---
title: Notes on tags
date: 2022-01-02
---
Back to {% post_link tag-plugins 'the tag plugins post' %}.

| name | count |
|:-----|------:|
| posts | 12 |

A claim[^1].

[^1]: Its source.
"""


@pytest.fixture
def blog(transactional_db, tmp_path):
    cache.clear()
    posts = tmp_path / "blog" / "source" / "_posts"
    posts.mkdir(parents=True)
    shutil.copy(HEXO_POSTS / "tag-plugins.md", posts)
    (posts / "notes.md").write_text(LINKING_POST, encoding="utf-8")
    call_command("import_articles", str(tmp_path / "blog"), verbosity=0)
    yield {a.title: a for a in Article.objects.all()}
    cache.clear()


def test_reader_sees_code_tables_footnotes_and_follows_a_post_link(
    live_server, page, screenshot, blog
):
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else 0)
    page.goto(live_server.url + blog["Notes on tags"].get_absolute_url())
    cell = page.locator(".article-body td.align-right")
    assert cell.inner_text() == "12"
    assert cell.evaluate("td => getComputedStyle(td).textAlign") == "right"

    page.locator(".article-body sup a").click()
    assert page.evaluate("location.hash") == "#user-content-fn1"
    assert page.locator(":target").inner_text().startswith("Its source.")
    screenshot("1-notes")

    page.get_by_role("link", name="the tag plugins post").click()
    page.wait_for_url("**/2013/12/25/tag-plugins/")
    keyword = page.locator(".article-body code.language-js span.kd").first
    assert keyword.inner_text() == "const"
    # pygments.css colours the token: the default style's keyword green, not the text colour.
    assert keyword.evaluate("s => getComputedStyle(s).color") == "rgb(0, 128, 0)"
    assert page.locator(".article-body figure.quote figcaption").first.inner_text() == (
        "— David Levithan, Wide Awake"
    )
    assert page.locator(".article-body iframe").count() == 0
    screenshot("2-tag-plugins")
    assert refused == []
