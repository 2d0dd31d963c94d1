"""What a reader gets from a stored body, as plain data, so two versions can be compared.

The rich-text editor writes its own normal form (<strong> for <b>, list items and table cells
wrapped in <p>, no <div>/<span>, whitespace collapsed the way browsers show it); that is not
a loss. Lost images, captions, links, cells, formatting or text are, and they show here.
"""

import re

import html5lib

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Elements that end a run of inline content, as in ProseMirror's (and the browser's) layout;
# <img> too, because the editor keeps images as blocks of their own.
BLOCKS = {
    "p", *HEADINGS, "ul", "ol", "li", "blockquote", "pre", "figure", "figcaption", "table",
    "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "hr", "div", "img", "br",
    "dl", "dt", "dd", "details", "summary",
}  # fmt: skip
MARKS = {
    "strong": "strong", "b": "strong", "em": "em", "i": "em", "u": "u", "s": "s",
    "sub": "sub", "sup": "sup", "code": "code", "small": "small", "cite": "cite", "q": "q",
    "mark": "mark", "kbd": "kbd", "samp": "samp", "var": "var", "abbr": "abbr", "del": "del",
    "ins": "ins",
}  # fmt: skip
# Attributes a reader depends on: link targets (ids), alignment, the stylesheet's classes.
KEPT_ATTRIBUTES = ("id", "class", "align", "scope", "cite", "title", "datetime", "open", "start")
# ProseMirror collapses ASCII whitespace only; U+3000 and NBSP are text to it.
_SPACES = re.compile(r"[ \t\r\n\f]+")


def squash(text):
    return _SPACES.sub(" ", text or "").strip()


def text_runs(root):
    """(context, text) for every run of inline text, in document order, split where a block
    starts or ends. The context is the nearest block that holds the run."""
    found, buffer = [], []

    def flush(context):
        text = squash("".join(buffer))
        if text:
            found.append((context, text))
        buffer.clear()

    def walk(element, context):
        buffer.append(element.text or "")
        for child in element:
            if isinstance(child.tag, str) and child.tag in BLOCKS:
                flush(context)
                walk(child, CONTEXTS.get(child.tag, context))
                flush(CONTEXTS.get(child.tag, context))
            elif isinstance(child.tag, str):
                walk(child, context)  # inline: its text joins the run
            buffer.append(child.tail or "")

    walk(root, "paragraph")
    flush("paragraph")
    return found


# The block a run belongs to; <div>, <p> and <blockquote> all hold paragraphs to a reader.
CONTEXTS = {
    "ul": "list_item", "ol": "list_item", "li": "list_item", "td": "cell", "th": "cell",
    "figcaption": "caption", "pre": "code",
    "caption": "caption", **{tag: tag for tag in HEADINGS},
}  # fmt: skip


def block_text(element):
    return " ".join(text for _, text in text_runs(element))


def caption_of(image):
    figure = next((node for node in image.iterancestors("figure")), None)
    caption = figure.find(".//figcaption") if figure is not None else None
    # An empty caption shows nothing, like none (the editor may leave one behind).
    return (block_text(caption) or None) if caption is not None else None


def marked_text(root):
    """Per mark, the text it covers, without whitespace: robust to the editor splitting one
    element in two or dropping the blank between two, not to formatting lost or added."""
    covered = {}
    for element in root.iter(*MARKS):
        name = MARKS[element.tag]
        if element.tag == "code" and next(element.iterancestors("pre"), None) is not None:
            continue
        if any(MARKS.get(outer.tag) == name for outer in element.iterancestors()):
            continue  # <strong><strong>x</strong></strong> is bold once
        covered[name] = covered.get(name, "") + "".join("".join(element.itertext()).split())
    return {name: text for name, text in covered.items() if text}


def structure(body_html):
    # html5lib, not lxml.html: it builds the tree a browser (and so the editor) builds.
    document = html5lib.parse(
        f"<body>{body_html or ''}</body>", treebuilder="lxml", namespaceHTMLElements=False
    )
    root = document.find(".//body")
    runs = text_runs(root)
    return {
        "images": [
            (image.get("src"), image.get("alt") or "", caption_of(image))
            for image in root.iter("img")
        ],
        # A link without a target or anything to click is nothing to a reader (the editor
        # drops it and keeps its text).
        "links": [
            (link.get("href"), block_text(link))
            for link in root.iter("a")
            if link.get("href") and (block_text(link) or link.find(".//img") is not None)
        ],
        "tables": [
            rows
            for table in root.iter("table")
            if (rows := [cells for row in table.iter("tr") if (cells := row_cells(row))])
        ],
        "headings": [(heading.tag, block_text(heading)) for heading in root.iter(*HEADINGS)],
        # Runs, not <li>s: the editor puts text that stood loose in a list into an item.
        "list_items": [text for context, text in runs if context == "list_item"],
        # Whitespace ending a code block shows nothing (the editor trims it).
        "code_blocks": ["".join(pre.itertext()).rstrip() for pre in root.iter("pre")],
        "rules": len(list(root.iter("hr"))),
        "paragraphs": [text for context, text in runs if context == "paragraph"],
        "marks": marked_text(root),
        "attributes": [
            (element.tag, *(element.get(name) for name in KEPT_ATTRIBUTES))
            for element in root.iter()
            if isinstance(element.tag, str)
            and element.tag not in ("span", "img", "a")
            and any(element.get(name) for name in KEPT_ATTRIBUTES)
        ],
        # Highlighting: the token spans of code samples, whitespace-only ones left out.
        "highlighting": [
            (span.get("class"), "".join(span.itertext()))
            for pre in root.iter("pre")
            for span in pre.iter("span")
            if span.get("class") and "".join(span.itertext()).strip()
        ],
        "text": " ".join(text for _, text in runs),
    }


def row_cells(row):
    return [block_text(cell) for cell in row.iter("td", "th")]
