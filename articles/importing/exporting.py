"""Article -> front-matter post file, in the crawler's own layout so import reads it back.

Plain data in, text out; the export command does the querying and the writing.
"""

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
    # The body is stored HTML, to be read back as it is: left to the guess, a <pre> holding
    # blank lines or a code sample of a Markdown table would be read as Markdown.
    meta["markup"] = "html"
    if not post.published:
        meta["published"] = False
    return yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000)


def render_post(post):
    """The body gets back its 原标题/来源/责任编辑 lines, which the importer takes out again."""
    lines = []
    if post.original_title:
        lines.append(f"<p>原标题：{escape(post.original_title)}</p>")
    if post.source:
        lines.append(f"<p>来源：{escape(post.source)}</p>")
    lines.append(post.body_html)
    if post.editor:
        lines.append(f'<p class="article-editor">责任编辑：{escape(post.editor)}</p>')
    return "---\n" + front_matter(post) + "---\n\n" + "\n".join(lines) + "\n"
