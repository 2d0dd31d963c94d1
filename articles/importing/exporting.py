"""Article -> front-matter post file, in the crawler's own layout so import reads it back.

Plain data in, text out; the export command does the querying and the writing.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

import yaml


@dataclass
class ExportedPost:
    title: str
    slug: str
    published_at: datetime
    body_html: str
    updated_at: datetime | None = None
    categories: list = field(default_factory=list)  # one list of names per hierarchy
    tags: list = field(default_factory=list)
    author: str = ""
    editor: str = ""
    source: str = ""
    original_title: str = ""
    excerpt: str = ""
    lead_image_url: str = ""
    thumbnail_url: str = ""
    comments_enabled: bool = True
    published: bool = True
    extra: dict = field(default_factory=dict)
    old_addresses: list = field(default_factory=list)  # paths on the site it came from


def front_matter(post):
    meta = dict(post.extra)
    meta.update(title=post.title, slug=post.slug, date=post.published_at.isoformat())
    if post.updated_at:
        meta["updated"] = post.updated_at.isoformat()
    if len(post.categories) == 1:
        meta["categories"] = list(post.categories[0])  # Hexo: a flat list is one hierarchy
    elif post.categories:
        meta["categories"] = [list(chain) for chain in post.categories]
    for key, value in (
        ("tags", post.tags),
        ("author", post.author),
        ("excerpt", post.excerpt),
        ("headimg", post.lead_image_url),
        ("thumbnail", post.thumbnail_url),
        ("aliases", post.old_addresses),
    ):
        if value:
            meta[key] = value
    meta["comments"] = post.comments_enabled
    if not post.published:
        meta["published"] = False
    return yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000)


PRE_BLOCK = re.compile(r"<pre[\s>].*?</pre>", re.DOTALL)
PRE_AFTER_BLOCK = re.compile(
    r"(</(?:p|h[1-6]|ul|ol|dl|table|blockquote|figure|pre)>)\n<pre(?=[\s>])"
)
BLOCK_START = re.compile(r"\s*<(p|div|h[1-6]|ul|ol|dl|table|blockquote|pre|figure|hr)\b", re.I)


def as_html_block(body):
    """A body that opens with text or an inline tag (a one-line news flash, cnBeta's leading
    <strong>) would be read back as Markdown and come back in a <p>: it goes in a <div>, as
    the crawler writes bodies. One that opens with a block stays as it is, because a <div>
    around a <pre> with blank lines would end at the first of them (CommonMark)."""
    if not BLOCK_START.match(body):
        return f"<div>\n{body}\n</div>"
    # A <pre> right after another block would be read as part of that block's HTML, which
    # ends at the first blank line (CommonMark): code with blank lines would be cut there.
    # A blank line before it makes the <pre> a block of its own, which ends at </pre>.
    # A code sample of a Markdown table ('a | b' over '--- | ---') would be read as a table
    # before the <pre> around it: its bars go as the entity, which reads back as the same text.
    body = PRE_BLOCK.sub(lambda m: m.group(0).replace("|", "&#124;"), body)
    return PRE_AFTER_BLOCK.sub(r"\1\n\n<pre", body)  # root-level blank lines read back as "\n"


def render_post(post):
    """The body gets back its 原标题/来源/责任编辑 lines, which the importer takes out again."""
    lines = []
    if post.original_title:
        lines.append(f"<p>原标题：{escape(post.original_title)}</p>")
    if post.source:
        lines.append(f"<p>来源：{escape(post.source)}</p>")
    lines.append(as_html_block(post.body_html))
    if post.editor:
        lines.append(f'<p class="article-editor">责任编辑：{escape(post.editor)}</p>')
    return "---\n" + front_matter(post) + "---\n\n" + "\n".join(lines) + "\n"
