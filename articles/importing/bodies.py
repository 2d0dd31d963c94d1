"""A post's body as its site showed it: engine tags expanded, Markdown rendered, HTML kept.

Plain functions over text; no Django. The result is HTML for the cleaner and sanitizer, and
the warnings that belong to this file (what could not be rendered is said, never dropped).
"""

import re
from dataclasses import dataclass, field

from . import engine_tags
from .errors import PostError
from .markdown import demote_headings, is_html, render_markdown

PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# '[' count x paragraph length: markdown-it took 79 s over 20,000 '[x]: ' on one line (2e9),
# Python-Markdown did not finish '[a](' 50,000 times in an hour; a 20 KB paragraph with 200
# links is 4e6.
MAX_BRACKET_WORK = 20_000_000


@dataclass
class Rendered:
    html: str
    warnings: list = field(default_factory=list)


def render_body(body, engine="", post_path="", title="", markup=""):
    """HTML throughout (a crawled page) stays as it is; anything else is Markdown, its
    engine's tags expanded first (`engine`: "hexo", "jekyll", "hugo", "zola" or unknown).
    `markup` is Hugo's front-matter key: "html" or "markdown" says which, unguessed (an
    exported article is HTML that Markdown's block rules could misread).

    Headings are demoted over the whole result, tags' output included, so a stored body
    holds no <h1> and reading it again as HTML leaves it as it is."""
    if markup == "html" or (markup != "markdown" and is_html(body)):
        return Rendered(demote_headings(body))
    check_markdown_brackets(body)
    expanded = engine_tags.expand(body, engine=engine, post_path=post_path, title=title)
    html = expanded.restore(render_markdown(expanded.text))
    return Rendered(demote_headings(html), expanded.warnings)


def check_markdown_brackets(body):
    """Markdown renderers look for the end of every '[' through the rest of its paragraph."""
    for paragraph in PARAGRAPH_BREAK.split(body):
        if paragraph.count("[") * len(paragraph) > MAX_BRACKET_WORK:
            raise PostError(
                f"a Markdown paragraph has {paragraph.count('[')} '[' in "
                f"{len(paragraph)} characters; it would take minutes to render"
            )
