"""The one allowlist for HTML we show, and the one function that applies it (nh3/ammonia).

Everything that reaches a page as HTML goes through `sanitize` last: the importer after
cleaning and the admin on save. Nothing re-parses or rewrites the HTML afterwards.
"""

import re

import nh3

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
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
    "blockquote": {"cite"},
}
# Sina's image host answers 403 to any request that carries a Referer.
FORCED_ATTRIBUTES = {"img": {"referrerpolicy": "no-referrer", "loading": "lazy"}}
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
    return _cleaner.clean(html or "")
