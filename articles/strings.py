"""What a stored string may hold. Django-free: the importer and the admin both call it.

Two rules. Every stored string loses the characters XML 1.0 forbids (C0 controls other than
tab, newline and carriage return, lone surrogates, U+FFFE and U+FFFF): one in a title made
every RSS and Atom feed invalid XML, and PostgreSQL refuses NUL outright. Names (titles,
authors, editors, sources, categories, tags, slugs) also lose HTML entities, bidirectional
controls and zero-width characters: a crawler that escaped '&' shows '&amp;' to readers, a
right-to-left override makes a title read backwards, and a title of zero-width spaces looks
like no title at all.
"""

import html
import re
import unicodedata

# A lone surrogate (from a JSON or YAML escape: "\ud800") has no UTF-8 form: the database
# driver refused the whole batch. It becomes U+FFFD, so the reader sees that something was
# there; the rest simply go.
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Bidi embeddings, overrides and isolates, the LRM/RLM/ALM marks, zero-width space and word
# joiner, the Mongolian vowel separator and a BOM in the middle of text. Zero-width (non-)
# joiners stay: emoji sequences and Persian need them.
INVISIBLE = re.compile(
    r"[\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
ENTITY = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);?")


def xml_safe(text):
    """The text without what XML 1.0 forbids; a lone surrogate becomes U+FFFD."""
    if XML_FORBIDDEN.search(text):
        text = XML_FORBIDDEN.sub("", text)
    return LONE_SURROGATE.sub("\ufffd", text)


def clean_name(text):
    """(name, notes): a title or name as a reader should see it, on one line.

    `notes` says what was changed, for the import report. Entities are decoded once, as a
    browser would show them: '&amp;lt;' becomes '&lt;', not '<'.
    """
    notes = []
    cleaned = xml_safe(text)
    if cleaned != text:
        notes.append("control characters removed")
    if ENTITY.search(cleaned):
        unescaped = xml_safe(html.unescape(cleaned))
        if unescaped != cleaned:
            notes.append("HTML entities decoded")
            cleaned = unescaped
    if INVISIBLE.search(cleaned):
        cleaned = INVISIBLE.sub("", cleaned)
        notes.append("invisible characters removed")
    return " ".join(cleaned.split()), notes


def is_visible(text):
    """False for a name made only of spaces, marks and format characters (U+200D alone)."""
    return any(unicodedata.category(c)[0] not in "ZC" for c in text)


SURROGATE_ESCAPE = re.compile(r"[\udc80-\udcff]")
UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def is_storable(text):
    """False for a file name that was not valid UTF-8: Python holds its bytes as lone
    surrogates, which no database column can store."""
    return not LONE_SURROGATE.search(text)


def printable(text):
    """A file name fit for one line of a report: bytes that were not UTF-8 as \\xNN, control
    characters as \\n, \\x1b...; a name holding a newline cannot forge a 'failed:' line."""
    if SURROGATE_ESCAPE.search(text):
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)
