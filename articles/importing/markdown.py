"""Markdown as the blog engines render it: CommonMark with GitHub's extensions.

markdown-it-py (the Python port of the renderer Hexo's hexo-renderer-markdown-it uses) with
mdit-py-plugins' GFM set: tables, strikethrough, bare-URL autolinks, task lists, footnotes,
alerts, plus definition lists. Raw HTML passes through, as in every engine; the sanitizer
decides what of it survives. What the renderer writes is shaped for our allowlist and CSP:
table alignment as a class (no style attributes), ids and same-page links under ID_PREFIX,
code highlighted by Pygments into classes.
"""

import re

from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.anchors.index import slugify
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import index as footnote
from mdit_py_plugins.gfm import gfm_plugin

from ..content.highlight import highlight, language_of
from ..content.sanitizing import ID_PREFIX
from .errors import PostError

# Where engine_tags points links between posts of one blog (tag_library.SOURCE_LINK).
SOURCE_LINK_ROOT = "/link/"

# markdown-it stops parsing at this depth of nested blocks and drops the rest of the file;
# `render_markdown` refuses such a body instead. Real posts nest a handful of levels.
MAX_NESTING = 100
ALIGNMENT = re.compile(r"text-align:\s*(left|center|right)")
HEADING_TAG = re.compile(r"<(/?)h([1-6])\b", re.IGNORECASE)
# Top-level blocks a crawled HTML body is made of: its HTML, text between blank lines, and
# lines its markup indents by four spaces (which CommonMark would show as code).
HTML_BODY_BLOCKS = {"html_block", "code_block", "paragraph_open", "paragraph_close", "inline"}
# Every Markdown-only block starts a line with one of these (after up to three spaces):
# headings, quotes, fences, tables, lists, rules, setext underlines, definitions, footnotes.
# A body with none of them needs no parse to be told apart; most crawled pages have none.
BLOCK_MARKER = re.compile(r"^ {0,3}(?:[#>`~|\-*+=_:\[]|\d{1,9}[.)])", re.MULTILINE)
# CommonMark's HTML blocks of kinds 1 and 6: a line opening with one of these starts one.
HTML_BLOCK_START = re.compile(
    r"\s*<(?:script|pre|style|textarea|address|article|aside|blockquote|body|center|dd|"
    r"details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|h[1-6]|header|hr|"
    r"html|li|main|menu|nav|ol|p|section|summary|table|tbody|td|tfoot|th|thead|tr|ul)"
    r"(?:[\s/>]|$)",
    re.IGNORECASE,
)


def highlight_fence(code, info, _attrs):
    return highlight(code, language_of(info))


def prefixed_fragment(href):
    """'#setup' on this page, or on another imported post ('/link/name/#setup'), names an
    id the sanitizer has prefixed."""
    page, hash_mark, fragment = href.partition("#")
    if not hash_mark or not fragment or fragment.startswith(ID_PREFIX):
        return href
    if page and not page.startswith(SOURCE_LINK_ROOT):
        return href
    return f"{page}#{ID_PREFIX}{fragment}"


def shape_tokens(state):
    """Alignment styles become classes; same-page links point at the prefixed ids."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open"):
            found = ALIGNMENT.search(str(token.attrGet("style") or ""))
            token.attrs.pop("style", None)
            if found:
                token.attrSet("class", f"align-{found.group(1)}")
        for child in token.children or ():
            if child.type == "link_open":
                child.attrSet("href", prefixed_fragment(str(child.attrGet("href") or "")))


def with_prefixed_ids(render):
    """mdit's footnote markup with our prefix on its ids and the links to them."""

    def rendered(self, tokens, idx, options, env):
        html = render(self, tokens, idx, options, env)
        return html.replace('href="#fn', f'href="#{ID_PREFIX}fn').replace(
            'id="fn', f'id="{ID_PREFIX}fn'
        )

    return rendered


def task_item_open(self, tokens, idx, options, env):
    """A task's box as a glyph: a form control in an article would be one more thing for the
    sanitizer to let through (hostile bodies use <input> too), and it could not be ticked."""
    token = tokens[idx]
    html = self.renderToken(tokens, idx, options, env)
    if token.meta and "checked" in token.meta:
        html += "\u2611 " if token.meta["checked"] else "\u2610 "
    return html


def footnotes_open(self, tokens, idx, options, env):
    # <section> is not in the allowlist (crawled pages misuse it as a wrapper); a classed
    # <div> carries the same meaning for the stylesheet.
    return '<hr class="footnotes-sep">\n<div class="footnotes">\n<ol class="footnotes-list">\n'


def footnotes_close(self, tokens, idx, options, env):
    return "</ol>\n</div>\n"


def make_renderer():
    md = MarkdownIt(
        "commonmark", {"html": True, "highlight": highlight_fence, "maxNesting": MAX_NESTING}
    )
    md.use(gfm_plugin).use(deflist_plugin)
    md.use(anchors_plugin, min_level=1, max_level=6, slug_func=lambda t: ID_PREFIX + slugify(t))
    md.core.ruler.push("shape_for_allowlist", shape_tokens)
    for name in ("footnote_ref", "footnote_open", "footnote_anchor"):
        md.add_render_rule(name, with_prefixed_ids(getattr(footnote, f"render_{name}")))
    md.add_render_rule("list_item_open", task_item_open)
    md.add_render_rule("footnote_block_open", footnotes_open)
    md.add_render_rule("footnote_block_close", footnotes_close)
    return md


renderer = make_renderer()


def is_html(body):
    """True when the body is HTML throughout, as a crawled page is: its first block is an
    HTML block and none is Markdown-only (heading, list, fence, quote, table, rule).

    Decided on CommonMark's own block structure, so `<table>` in a code span or a fenced
    sample cannot make a Markdown post count as HTML.
    """
    if not body.lstrip().startswith("<"):
        return False
    if HTML_BLOCK_START.match(body) and not BLOCK_MARKER.search(body):
        return True
    tokens = []
    renderer.block.parse(body, renderer, {}, tokens)
    top = [token.type for token in tokens if token.level == 0]
    return bool(top) and top[0] == "html_block" and set(top) <= HTML_BODY_BLOCKS


def render_markdown(text):
    env = {}
    tokens = renderer.parse(text, env)
    if any(token.level >= MAX_NESTING - 1 for token in tokens):
        raise PostError(f"Markdown is nested more than {MAX_NESTING} levels deep")
    return renderer.renderer.render(tokens, renderer.options, env)


def demote_headings(html):
    """A body's <h1> would stand level with the page's title: when a body uses h1, every
    heading moves one level down (h6 stays h6), so the outline keeps its shape."""
    if not re.search(r"<h1\b", html, re.IGNORECASE):
        return html
    return HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 1, 6)}", html)
