"""Shared pieces of the security tests: the XSS vectors, the browser-like checker, and a way
to judge a whole page without counting the site's own forms and meta tags as injected.
"""

import importlib.util
import json

import html5lib

from .conftest import SHARED

SECURITY = SHARED / "security"


def _load_checker():
    # Imported from /work/shared, never copied: one checker for every sanitizer test.
    spec = importlib.util.spec_from_file_location("xss_check", SECURITY / "xss_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


xss_check = _load_checker()
violated = xss_check.violated
kept = xss_check.kept
VECTORS = [
    json.loads(line)
    for line in (SECURITY / "xss-vectors.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]
ALL_TOKENS = sorted({token for vector in VECTORS for token in vector["must_not_contain"]})

# Elements our own templates emit that are also XSS tokens (<form, <input, <meta, <title...).
# They are recognised by their place in the page and their attribute names, learned from a
# page rendered from benign data; the same element anywhere else is an injection.
SITE_OWNED = {
    "title",
    "meta",
    "link",
    "form",
    "input",
    "button",
    "select",
    "textarea",
    "base",
    "script",  # the admin's own <script src>
    "svg",  # the admin's theme-toggle icons
}
RISKY_ATTRIBUTES = {t[:-1] for t in ALL_TOKENS if t.endswith("=")} | {"style", "src", "href"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "content"}


def _local(tag):
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _walk(element, ancestors=()):
    for child in list(element):
        name = _local(child.tag)
        if not name:
            continue
        yield element, child, ancestors
        yield from _walk(child, (*ancestors, name))


def _signature(element, ancestors):
    # Only the risky attribute names, never values (values carry the hostile content) nor
    # names that follow a value (checked, selected, aria-invalid differ between articles).
    names = frozenset(
        name
        for name in map(xss_check._attr_name, element.attrib)
        if name.startswith("on") or name in RISKY_ATTRIBUTES
    )
    return _local(element.tag), ancestors, names


def parse_page(html):
    return html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=True)


def site_signatures(html):
    """Signatures of the site's own form/meta/title elements on a page of benign content."""
    return {
        _signature(child, ancestors)
        for _, child, ancestors in _walk(parse_page(html))
        if _local(child.tag) in SITE_OWNED
    }


def strip_site_owned(html, signatures):
    """The page with the site's own form/meta/title elements unwrapped (children kept)."""
    document = parse_page(html)
    # Innermost first: an ElementTree child has no parent link, so a form's inputs must be
    # handled while they still sit in the form, before the form itself is unwrapped.
    for parent, child, ancestors in reversed(list(_walk(document))):
        if _local(child.tag) in SITE_OWNED and _signature(child, ancestors) in signatures:
            index = list(parent).index(child)
            parent.remove(child)
            for offset, grandchild in enumerate(list(child)):
                parent.insert(index + offset, grandchild)
            if child.text:  # <title> text: RCDATA, can never be markup
                child.text = None
        for name, value in list(child.attrib.items()):
            # A URL that starts with '/', '?' or '#' has no scheme whatever follows: a slug
            # made from '-moz-binding' text in our own links is a path, not CSS or a scheme.
            if xss_check._attr_name(name) in URL_ATTRIBUTES and value.startswith(("/", "?", "#")):
                child.attrib[name] = "/"
    return html5lib.serialize(document, tree="etree", omit_optional_tags=False)


def page_violations(html, signatures, tokens=ALL_TOKENS):
    """What an XSS token checker finds on a whole page, the site's own elements aside."""
    return violated(strip_site_owned(html, signatures), tokens)
