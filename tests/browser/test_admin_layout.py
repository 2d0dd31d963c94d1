"""The admin at a desktop (1280 px) and a phone (390 px) width, in Chinese, with real content.

Measured in the page, not guessed from CSS: the document never scrolls sideways, the title
input holds a real headline, no table header is squeezed into a column of single characters,
and no English is left in the Chinese UI. Screenshots go to tests/artifacts/ for a person to
look at.
"""

import re

import pytest
from django.core.cache import cache

from articles.importing.runner import import_paths
from articles.models import Article
from tests.conftest import SEEDS

WIDTHS = {"desktop": 1280, "phone": 390}
# Latin letters in a Chinese page: the words that are allowed to stay (names, formats).
ALLOWED_LATIN = {"HTML", "URL", "IP", "GET", "POST", "HTTP", "Accept", "sha256"}
# What the admin shows of the content itself (titles, bodies, file names) is not UI text.
UI_TEXT = """() => {
  const data = "td, tbody th, .readonly, .ProseMirror, .material-icons, script, style, select,"
    + " textarea, .breadcrumbs, #changelist-filter li, .xfull, .date_hierarchy a,"
    + " #recent-actions-module, #user-tools strong";
  const texts = [];
  const root = document.querySelector("#container");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (parent.closest(data) || !parent.checkVisibility()) continue;
    texts.push(walker.currentNode.textContent);
  }
  for (const element of document.querySelectorAll("#container [title], #container [aria-label]")) {
    if (element.closest(".breadcrumbs, td")) continue;
    texts.push(element.getAttribute("title") || "", element.getAttribute("aria-label") || "");
  }
  return texts.join(" ");
}"""

MEASURE = """() => {
  // The lines its text takes on screen (a header's sort links and icons are boxes of their own).
  const lines = (element) => {
    const tops = new Set();
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      if (!walker.currentNode.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(walker.currentNode);
      for (const rect of range.getClientRects()) tops.add(Math.round(rect.top));
    }
    return tops.size;
  };
  const title = document.querySelector("input[name=title]");
  return {
    documentWidth: document.scrollingElement.scrollWidth,
    viewportWidth: window.innerWidth,
    title: title && {
      width: title.getBoundingClientRect().width,
      overflowing: title.scrollWidth > title.clientWidth,
    },
    headers: [...document.querySelectorAll("#content th")]
      .filter((th) => th.innerText.trim().length > 1 && th.getClientRects().length)
      .map((th) => ({ text: th.innerText.trim(), lines: lines(th) })),
  };
}"""


@pytest.fixture
def imported(transactional_db):
    cache.clear()
    result = import_paths([str(SEEDS)], zone_name="Asia/Shanghai")
    assert result.failures == []
    return Article.objects.order_by("pk").first()


def visible_english(page):
    text = page.evaluate(UI_TEXT)
    words = set(re.findall(r"[A-Za-z]{3,}", text))
    return sorted(words - ALLOWED_LATIN)


@pytest.mark.parametrize("device", WIDTHS)
def test_admin_pages_fit_the_screen_and_speak_chinese(
    live_server, page, screenshot, editor_cookie, imported, device
):
    page.set_viewport_size({"width": WIDTHS[device], "height": 900})
    page.context.add_cookies([editor_cookie])
    pages = {
        "dashboard": "/admin/",
        "import-runs": "/admin/articles/importrun/",
        "articles": "/admin/articles/article/",
        "change-form": f"/admin/articles/article/{imported.pk}/change/",
        "login-attempts": "/admin/axes/accessattempt/",
    }
    problems = {}
    for name, path in pages.items():
        page.goto(live_server.url + path)
        if name == "change-form":
            page.locator('.prose-editor [contenteditable="true"]').wait_for(state="visible")
        screenshot(f"{device}-{name}")
        found = page.evaluate(MEASURE)
        if found["documentWidth"] > found["viewportWidth"]:
            problems[f"{name}: scrolls sideways"] = found["documentWidth"]
        squeezed = [h["text"] for h in found["headers"] if h["lines"] > 2]
        if squeezed:
            problems[f"{name}: headers wrap"] = squeezed
        english = visible_english(page)
        if english:
            problems[f"{name}: English"] = english
        if name == "change-form":
            title = found["title"]
            # A headline fits on a desktop; on a phone the input takes the whole row.
            if device == "desktop" and title["overflowing"]:
                problems["title input too narrow for the headline"] = title["width"]
            if device == "phone" and title["width"] < WIDTHS[device] - 60:
                problems["title input narrower than the screen"] = title["width"]
    assert problems == {}
