"""The one allowlist for HTML we show, and the one function that applies it (nh3/ammonia).

Everything that reaches a page as HTML goes through `sanitize` last: the importer after
cleaning and the admin on save. Nothing re-parses or rewrites the HTML afterwards.
"""

import re

import nh3

from .highlight import LANGUAGE_CLASSES, TOKEN_CLASSES

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "small",
    "mark",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "q",
    "cite",
    "code",
    "pre",
    "kbd",
    "samp",
    "var",
    "abbr",
    "del",
    "ins",
    "dl",
    "dt",
    "dd",
    "details",
    "summary",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "figure",
    "figcaption",
    "img",
    "table",
    "caption",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "span",
    "div",
}
# Ids only where a body links to them (headings, footnotes, definitions), always under
# ID_PREFIX, so no body can take over an id of the page around it.
ID_HOLDERS = ("h1", "h2", "h3", "h4", "h5", "h6", "a", "li", "dt")
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "img": {"src", "alt", "width", "height", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
    "blockquote": {"cite"},
    "abbr": {"title"},
    "details": {"open"},
    "del": {"datetime"},
    "ins": {"datetime"},
    **{tag: {"id"} for tag in ID_HOLDERS if tag != "a"},
}
# Table alignment: the CSP forbids style attributes, so the old attribute or a class.
ALIGNMENTS = {"left", "center", "right"}
ALLOWED_VALUES = {
    "td": {"align": ALIGNMENTS},
    "th": {"align": ALIGNMENTS},
}
ALIGNMENT_CLASSES = {f"align-{side}" for side in ALIGNMENTS}
ALERTS = {"note", "tip", "important", "warning", "caution"}
# Classes the stylesheet gives a meaning: Pygments' token classes on spans, a code sample's
# language, footnotes, task lists and alerts as the Markdown renderer writes them, and the
# blocks engine tags become. Every other class is dropped.
ALLOWED_CLASSES = {
    "span": set(TOKEN_CLASSES),
    "code": set(LANGUAGE_CLASSES),
    "td": ALIGNMENT_CLASSES,
    "th": ALIGNMENT_CLASSES,
    "sup": {"footnote-ref"},
    "hr": {"footnotes-sep"},
    "ol": {"footnotes-list"},
    "ul": {"contains-task-list"},
    "li": {"footnote-item", "task-list-item"},
    "a": {"footnote-backref"},
    "p": {"markdown-alert-title"},
    "div": {
        "footnotes",
        "markdown-alert",
        *(f"markdown-alert-{kind}" for kind in ALERTS),
        "engine-tag",
    },
    "figure": {"code", "embed", "quote"},
    "blockquote": {"pullquote"},
}
# As GitHub does: a body's "#fn1" or "#setup" never clobbers an id of the page around it;
# the Markdown renderer writes its ids and same-page links with the same prefix.
ID_PREFIX = "user-content-"
# Sina's image host answers 403 to any request that carries a Referer.
FORCED_ATTRIBUTES = {"img": {"referrerpolicy": "no-referrer", "loading": "lazy"}}
# ammonia appends forced attributes in the order of a hash map seeded per process, so the
# same body came out with these two either way round from one worker to the next; `sanitize`
# puts them in one order. Only a real tag matches: in text '<' is always escaped.
FORCED_ORDER = re.compile(r'(<img\b[^>]*?) loading="lazy" referrerpolicy="no-referrer"')
# Where nh3 removes every class of an element that may carry some, it leaves class="" (the
# editor writes <figure class="figure">): the attribute goes too. Only a real tag matches.
EMPTY_CLASS = re.compile(r'(<[a-zA-Z][^<>]*?) class=""')
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener noreferrer"
# Removed with their content, not just unwrapped: their text is code or markup, not prose.
DROPPED_WITH_CONTENT = {
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "textarea",
    "select",
    "title",
    "xmp",
    "noembed",
    "noframes",
    "plaintext",
    "form",
    "button",
}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags=DROPPED_WITH_CONTENT,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel=LINK_REL,
    set_tag_attribute_values=FORCED_ATTRIBUTES,
    tag_attribute_values=ALLOWED_VALUES,
    allowed_classes=ALLOWED_CLASSES,
    id_prefix=ID_PREFIX,
    strip_comments=True,
)


# What a browser strips before it reads a URL's scheme (WHATWG URL parser): leading and
# trailing C0 controls and spaces, and tabs/newlines anywhere ("java\tscript:").
_URL_EDGES = "".join(chr(c) for c in range(0x21))
_URL_INNER = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")


def safe_url(url):
    """`url` when a browser would load it as http(s) or as a relative URL; '' otherwise.

    For URLs we put into attributes ourselves (front-matter images); body HTML has nh3.
    """
    seen = _URL_INNER.sub("", (url or "").strip(_URL_EDGES)).lower()
    scheme = _SCHEME.match(seen)
    if scheme and scheme.group(1) not in URL_SCHEMES - {"mailto"}:
        return ""
    return (url or "").strip()


def sanitize(html):
    """Return HTML that is safe to mark safe in a template."""
    html = EMPTY_CLASS.sub(r"\1", _cleaner.clean(html or ""))
    return FORCED_ORDER.sub(r'\1 referrerpolicy="no-referrer" loading="lazy"', html)
