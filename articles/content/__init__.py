"""What an article's stored fields are, from what an editor or a file gives. No Django here.

The importer (articles.importing.pipeline), the model (Article.refresh_derived, run on every
save) and so the admin all derive through `derive`, so an article saved in the admin and the
same article imported from a file store the same strings.
"""

import unicodedata
from dataclasses import dataclass

from ..strings import xml_safe
from .highlight import highlight_plain_blocks
from .sanitizing import safe_url, sanitize
from .text import EXCERPT_CHARS, clean_line, excerpt_of, html_to_text

__all__ = [
    "EXCERPT_CHARS",
    "Derived",
    "clean_line",
    "derive",
    "excerpt_of",
    "html_to_text",
    "safe_url",
    "sanitize",
    "xml_safe",
]


@dataclass(frozen=True)
class Derived:
    title: str
    original_title: str
    body_html: str
    body_text: str
    excerpt: str


def derive(*, title, body_html, excerpt="", original_title="", sanitized=False):
    """The stored form of an article's text fields.

    The body is sanitized (the one allowlist; sanitizing twice changes nothing); its plain
    text is NFC so a search for a precomposed character finds a decomposed one; an empty
    excerpt is cut from the text. Every string is XML-safe, so no title or body can break a
    feed. Running derive on its own output changes nothing.

    `sanitized`: the body is `sanitize`'s output already (the importer's), so it is not
    parsed a second time unless highlighting changed it.
    """
    # The admin's editor returns code blocks as plain text; they are highlighted again.
    body_html = body_html or ""
    highlighted = highlight_plain_blocks(body_html)
    if not sanitized or highlighted != body_html:
        body_html = sanitize(highlighted)
    body_html = xml_safe(body_html).strip()
    body_text = unicodedata.normalize("NFC", html_to_text(body_html))
    return Derived(
        title=clean_line(title),
        original_title=clean_line(original_title),
        body_html=body_html,
        body_text=body_text,
        excerpt=clean_line(excerpt) or excerpt_of(body_text),
    )
