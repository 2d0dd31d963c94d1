"""Strip the crawl's boilerplate and pull out what the Sina layout encodes in the body.

BeautifulSoup over plain data; no Django. Input: body HTML. Output: CleanedBody.
The tree is walked once and the elements sorted by role, because every extra find_all over
a 20 KB page costs as much as parsing it again.
"""

import html as html_lib
import re
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, CData, NavigableString, Tag
from lxml import etree

from articles.importing.errors import PostError
from articles.importing.sanitizing import safe_url

ORIGINAL_TITLE = re.compile(r"^原标题\s*[：:]\s*(.+)$", re.DOTALL)
SOURCE_LINE = re.compile(r"^(?:文章)?来源\s*[：:]\s*(.+)$", re.DOTALL)
EDITOR_LINE = re.compile(r"责任编辑\s*[：:]\s*(.*)$", re.DOTALL)
WORK_CODE = re.compile(r"\s+[A-Za-z]{1,4}\d{2,}$")  # '梁斌 SF055': the code is not the name
PHOTO_CREDIT = re.compile(r"摄\s*[)）]?\s*$")
SENTENCE_PUNCTUATION = re.compile(r"[。，！？；,.!?;：:]")
COMMENT = re.compile(r"<!--.*?(-->|$)", re.DOTALL)
MAX_OUTLET_LENGTH = 30
MAX_EDITOR_LENGTH = 100
INDENT = "\u3000 \t\r\n\xa0"
DROPPED = {"style", "script", "noscript", "iframe", "template", "link", "meta"}
EMPTY_REMOVABLE = {"p", "div", "span", "font", "strong", "b", "em", "i", "section"}
# Browsers flatten anything deeper (Blink's limit); nh3's parser is quadratic in depth, so
# 100,000 nested <div>s took minutes there and over a minute in BeautifulSoup already.
MAX_HTML_DEPTH = 512
# A crawled article has a few hundred elements; BeautifulSoup builds ~10,000 a second here,
# so 500,000 '<b>a</b>' in a 4 MB file took a minute.
MAX_HTML_ELEMENTS = 50_000
LEADING_LINES = 3  # 原标题 and 来源 sit in the first few paragraphs, before any image

# For plain text: block ends become paragraph breaks, every other tag goes.
BLOCK_END = re.compile(r"</(p|li|h[1-6]|figcaption|td|th|blockquote|pre|div)>|<br\s*/?>", re.I)
ANY_TAG = re.compile(r"<[^>]*>")
# What get_text() counts as text: comments, doctypes and processing instructions are not.
TEXT_TYPES = (NavigableString, CData)


@dataclass
class Image:
    src: str
    alt: str = ""
    caption: str = ""


@dataclass
class CleanedBody:
    html: str
    original_title: str = ""
    source: str = ""
    editor: str = ""
    images: list = field(default_factory=list)
    boilerplate_images: set = field(default_factory=set)  # e.g. the footer QR code


@dataclass
class Parts:
    """The elements of one body, sorted by the role they play in the Sina layout."""

    leading: list = field(default_factory=list)  # non-empty paragraphs before the first image
    paragraphs: list = field(default_factory=list)
    editor_lines: list = field(default_factory=list)
    images: list = field(default_factory=list)
    fonts: list = field(default_factory=list)
    containers: list = field(default_factory=list)
    boilerplate_images: set = field(default_factory=set)


def gone(element):
    # Not `element.decomposed`: on a live Tag it falls through to Tag.__getattr__, which
    # searches the whole subtree for a child named "_decomposed" (a full walk per call).
    return element.__dict__.get("_decomposed", False)


def text_of(node):
    return node.get_text().strip(INDENT)


def sort_elements(root):
    parts = Parts()
    seen_image = False
    for element in root.find_all(True):
        if gone(element):
            continue
        name, classes = element.name, element.get("class") or ()
        if name in DROPPED:
            element.decompose()
        elif "appendQr_wrap" in classes:  # the footer's "download our app" QR code
            parts.boilerplate_images.update(img.get("src", "") for img in element.find_all("img"))
            element.decompose()
        elif name == "p" and "article-editor" in classes:
            parts.editor_lines.append(element)
        elif name == "img":
            seen_image = True
            parts.images.append(element)
        else:
            if name == "p":
                parts.paragraphs.append(element)
                if not seen_image and len(parts.leading) < LEADING_LINES and text_of(element):
                    parts.leading.append(element)
            elif name == "font":
                parts.fonts.append(element)
            if name in EMPTY_REMOVABLE:
                parts.containers.append(element)
    return parts


def editor_name(line):
    name = WORK_CODE.sub("", line.strip(INDENT)).strip(INDENT)
    # A "name" past this is a paragraph, not an editor; Editor.name holds 200 characters.
    return name if len(name) <= MAX_EDITOR_LENGTH else ""


def take_editor(parts):
    editor = ""
    for node in parts.editor_lines:
        found = EDITOR_LINE.search(text_of(node))
        if found and not editor:
            editor = editor_name(found.group(1))
        node.decompose()
    if not editor:  # other layouts put the line in a plain paragraph near the end
        for node in reversed(parts.paragraphs[-3:]):
            found = not gone(node) and EDITOR_LINE.match(text_of(node))
            if found:
                editor = editor_name(found.group(1))
                node.decompose()
                break
    return editor


def looks_like_outlet(text):
    return len(text) <= MAX_OUTLET_LENGTH and not SENTENCE_PUNCTUATION.search(text)


def take_title_and_source(parts):
    original_title = source = ""
    leading = list(parts.leading)
    if leading:
        found = ORIGINAL_TITLE.match(text_of(leading[0]))
        if found:
            original_title = " ".join(found.group(1).split())
            leading.pop(0).decompose()
    if leading:
        line = text_of(leading[0])
        found = SOURCE_LINE.match(line)
        # A bare outlet name ('吉林省人民政府网') only counts right after a 原标题 line.
        if found or (original_title and looks_like_outlet(line)):
            candidate = (found.group(1) if found else line).strip(INDENT)
            if looks_like_outlet(candidate):
                source = candidate
                leading[0].decompose()
    return original_title, source


def credit_after(node):
    """The paragraph right after an image, if it is a photo credit ('... 邹乃硕 摄')."""
    sibling = node.find_next_sibling()
    if sibling is not None and sibling.name == "p" and PHOTO_CREDIT.search(text_of(sibling)):
        return sibling
    return None


def take_images(soup, parts):
    images = []
    for img in parts.images:
        if gone(img):
            continue
        # The src becomes ArticleImage.src and maybe the lead image, outside nh3's reach.
        src = safe_url(img.get("src") or img.get("data-src"))
        if not src or src in parts.boilerplate_images:
            img.decompose()
            continue
        parent = img.parent
        if parent.name == "figure":  # our own export, or a modern layout
            holder, description = parent, parent.find("figcaption")
        elif "img_wrapper" in (parent.get("class") or ()):
            holder, description = parent, parent.find("span", class_="img_descr")
        else:
            holder, description = img, None
        if holder.parent.name == "p" and not text_of(holder.parent):
            holder = holder.parent  # a <figure> may not sit inside a <p>
        caption = text_of(description) if description else ""
        credit = credit_after(holder)
        if credit is not None:
            caption = caption or text_of(credit)
            credit.decompose()
        alt = (img.get("alt") or "").strip()
        images.append(Image(src=src, alt=alt, caption=caption))
        figure = soup.new_tag("figure")
        figure.append(soup.new_tag("img", attrs={"src": src, "alt": alt}))
        if caption:
            figcaption = soup.new_tag("figcaption")
            figcaption.string = caption
            figure.append(figcaption)
        holder.replace_with(figure)
    return images


def normalize_markup(parts):
    for font in parts.fonts:
        if gone(font):
            continue
        if font.get("cms-style", "").startswith("strong"):
            font.name, font.attrs = "strong", {}
        else:
            font.unwrap()
    # Paragraph indents were typed as ideographic spaces; the stylesheet indents instead.
    for paragraph in parts.paragraphs:
        if gone(paragraph):
            continue
        first = paragraph.find(string=True)
        if first is not None and first.startswith(tuple(INDENT)):
            first.replace_with(first.lstrip(INDENT))


def holding_content(root):
    """ids of the elements that hold text or an image, found in one walk.

    Asking each container for its text was a walk of its whole subtree: 100,000 nested
    <div>s took most of an hour. Marking the ancestors of each piece of content, and stopping
    at one already marked, touches every element once.
    """
    held = set()
    for node in root.descendants:
        if isinstance(node, Tag):
            if node.name not in ("img", "br", "figure"):
                continue
        elif type(node) not in TEXT_TYPES or not node.strip(INDENT):
            continue
        parent = node if isinstance(node, Tag) else node.parent
        while parent is not None and id(parent) not in held:
            held.add(id(parent))
            parent = parent.parent
    return held


def remove_empty(root, parts):
    held = holding_content(root)
    for tag in reversed(parts.containers):
        if gone(tag) or tag.parent is None:
            continue
        if id(tag) not in held:
            tag.decompose()
        elif tag.name != "p" and tag.has_attr("class"):
            del tag["class"]


def unwrap_single_div(root):
    """Crawled bodies sit in one outer <div>; keep the paragraphs, drop the wrapper."""
    children = [c for c in root.children if isinstance(c, Tag) or str(c).strip()]
    if len(children) == 1 and isinstance(children[0], Tag) and children[0].name == "div":
        children[0].unwrap()


def serialize_top_level(node):
    """The footer leaves runs of blank lines between blocks; text inside blocks is untouched
    (a <pre> keeps its lines), so cleaning the output again changes nothing."""
    if isinstance(node, NavigableString) and not node.strip():
        return "\n" if "\n" in node else node
    return str(node)


def html_to_text(html):
    """Plain text of HTML we produced (sanitized): paragraphs separated by blank lines.

    Used for excerpts, search and character counts, never for display as HTML.
    """
    text = html_lib.unescape(ANY_TAG.sub("", BLOCK_END.sub("\n\n", html)))
    lines = (" ".join(line.split()) for line in text.split("\n\n"))
    return "\n\n".join(line for line in lines if line)


def check_html_shape(html):
    """Refuse bodies that would take minutes to clean: too deep, or too many elements.

    libxml2 builds the tree in C in milliseconds (it stops counting depth at 2048), where
    BeautifulSoup and nh3 would each take minutes.
    """
    if html.count("<") <= MAX_HTML_DEPTH:  # a normal article: too few tags for either limit
        return
    # Bytes, not str: lxml refuses a str that carries an <?xml encoding=...?> declaration.
    parser = etree.HTMLParser(huge_tree=True, recover=True, encoding="utf-8")
    document = etree.fromstring(html.encode("utf-8", "replace"), parser)
    if document is None:
        return
    depth = elements = 0
    for event, _ in etree.iterwalk(document, events=("start", "end")):
        if event == "end":
            depth -= 1
            continue
        depth += 1
        elements += 1
        if depth > MAX_HTML_DEPTH:
            raise PostError(f"HTML is nested more than {MAX_HTML_DEPTH} elements deep")
        if elements > MAX_HTML_ELEMENTS:
            raise PostError(f"HTML has more than {MAX_HTML_ELEMENTS:,} elements")


def clean_body(html):
    html = COMMENT.sub("", html)
    check_html_shape(html)
    soup = BeautifulSoup(html, "lxml")
    root = soup.body or soup
    parts = sort_elements(root)
    editor = take_editor(parts)
    original_title, source = take_title_and_source(parts)
    images = take_images(soup, parts)
    normalize_markup(parts)
    remove_empty(root, parts)
    unwrap_single_div(root)
    body_html = "".join(map(serialize_top_level, root.children)).strip()
    return CleanedBody(
        html=body_html,
        original_title=original_title,
        source=source,
        editor=editor,
        images=images,
        boilerplate_images=parts.boilerplate_images,
    )
