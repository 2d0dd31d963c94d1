"""Marking a query's hits in a title or a snippet of text, on the original characters."""

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import mark_safe

from ..tokens import fold
from .query import parse_query

SNIPPET_WIDTH = 120


def _normalized(text):
    """The text folded as the tokenizer folds it, and for each folded character the index of
    the original one (folding to simplified characters is one for one; NFKC may not be)."""
    folded = fold(unicodedata.normalize("NFKC", text).casefold())
    if len(folded) == len(text):
        return folded, range(len(text))
    chars, origin = [], []
    for index, char in enumerate(text):
        folded = fold(unicodedata.normalize("NFKC", char).casefold())
        chars.append(folded)
        origin.extend([index] * len(folded))
    return "".join(chars), origin


def _hits(text, parsed):
    """Sorted, merged (start, end) spans of `text` where positive terms occur."""
    normalized, origin = _normalized(text)
    spans = []
    for term in parsed.positive:
        spans += [
            (origin[match.start()], origin[match.end() - 1] + 1)
            for match in re.finditer(term.pattern, normalized)
            if match.end() > match.start()
        ]
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _marked(text, hits, start, end):
    pieces, cursor = ["…" if start > 0 else ""], start
    for hit_start, hit_end in hits:
        if hit_end <= start or hit_start >= end:
            continue
        hit_start, hit_end = max(hit_start, start), min(hit_end, end)
        pieces += [escape(text[cursor:hit_start]), "<mark>", escape(text[hit_start:hit_end])]
        pieces.append("</mark>")
        cursor = hit_end
    pieces += [escape(text[cursor:end]), "…" if end < len(text) else ""]
    # Every piece of text went through escape(); the only markup is our own <mark>.
    return mark_safe("".join(pieces))


def highlight(text, q):
    """The whole text, escaped, with the query's hits in <mark>."""
    parsed = parse_query(q)
    return _marked(text, _hits(text, parsed), 0, len(text))


def snippet(text, q, width=SNIPPET_WIDTH):
    """About `width` characters of text around the first hit, escaped, hits in <mark>."""
    parsed = parse_query(q)
    text = " ".join(text.split())  # a snippet is one line: paragraphs become spaces
    hits = _hits(text, parsed)
    start = max(0, hits[0][0] - width // 4) if hits else 0
    return _marked(text, hits, start, min(len(text), start + width))
