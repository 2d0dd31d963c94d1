"""Plain strings derived from or stored beside article HTML. No Django here."""

import html as html_lib
import re

from ..strings import INVISIBLE, xml_safe

EXCERPT_CHARS = 120

# For plain text: block ends become paragraph breaks, every other tag goes.
BLOCK_END = re.compile(r"</(p|li|h[1-6]|figcaption|td|th|blockquote|pre|div)>|<br\s*/?>", re.I)
ANY_TAG = re.compile(r"<[^>]*>")


def clean_line(text):
    """A one-line stored string (title, name, tag, image caption): XML-safe, without the
    invisible characters articles.strings removes from names, whitespace runs made one space.
    A title saved in the admin with a vertical tab made every feed listing it invalid XML.

    Unlike the importer's clean_name it decodes no entities: that is a crawler's quirk, and
    decoding on every save would turn an editor's literal "&lt;" into "<" the second time.
    Running it twice changes nothing.
    """
    return " ".join(INVISIBLE.sub("", xml_safe(text or "")).split())


def html_to_text(html):
    """Plain text of HTML we produced (sanitized): paragraphs separated by blank lines.

    Used for excerpts, search and character counts, never for display as HTML.
    """
    text = html_lib.unescape(ANY_TAG.sub("", BLOCK_END.sub("\n\n", html)))
    lines = (" ".join(line.split()) for line in text.split("\n\n"))
    return "\n\n".join(line for line in lines if line)


def excerpt_of(text, limit=EXCERPT_CHARS):
    """Cut by characters, not words: Chinese has no spaces to cut at."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    # End on a sentence or clause mark when there is one near the end of the cut.
    for mark in "。！？；":
        end = cut.rfind(mark)
        if end >= limit * 0.6:
            return cut[: end + 1]
    return cut.rstrip() + "…"
