"""Strip the crawl's boilerplate and pull out what the Sina layout encodes in the body.

lxml over plain data; no Django. Input: body HTML. Output: CleanedBody.

Why lxml.html and not BeautifulSoup: BeautifulSoup already used lxml to parse, then built its
own tree of Python objects, and that took two thirds of a worker's time (1.6 ms of 2.7 ms
per crawled file); lxml keeps the tree in C and gives the same elements, text and tails.
The tree is walked once and the elements sorted by role, because every extra search over a
20 KB page costs as much as parsing it again.
"""

import html as html_lib
import re
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from articles.content import safe_url
from articles.importing import feeds
from articles.importing.errors import PostError

ORIGINAL_TITLE = re.compile(r"^原标题\s*[：:]\s*(.+)$", re.DOTALL)
SOURCE_LINE = re.compile(r"^(?:文章)?来源\s*[：:]\s*(.+)$", re.DOTALL)
EDITOR_LINE = re.compile(r"责任编辑\s*[：:]\s*(.*)$", re.DOTALL)
WORK_CODE = re.compile(r"\s+[A-Za-z]{1,4}\d{2,}$")  # '梁斌 SF055': the code is not the name
PHOTO_CREDIT = re.compile(r"摄\s*[)）]?\s*$")
SENTENCE_PUNCTUATION = re.compile(r"[。，！？；,.!?;：:]")
COMMENT = re.compile(r"<!--.*?(-->|$)", re.DOTALL)
# Invisible, and lxml refuses them in any text or attribute we set.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MAX_OUTLET_LENGTH = 30
MAX_EDITOR_LENGTH = 100
INDENT = "\u3000 \t\r\n\xa0"
# svg too: the sanitizer drops it with its content, leaving the <span> around it empty, and
# cleaning the stored body again would then remove that span (Unsplash credit badges).
DROPPED = ("style", "script", "noscript", "iframe", "template", "link", "meta", "svg")
EMPTY_REMOVABLE = {"p", "div", "span", "font", "strong", "b", "em", "i", "section"}
# Blocks a code block holds as text: the editor's code blocks hold text alone and would move
# them out of the <pre> (Hexo's unrendered Markdown has `<pre><figcaption>caption</figcaption>`).
BLOCKS_IN_PRE = {
    "p", "div", "section", "figure", "figcaption", "blockquote", "ul", "ol", "li", "dl", "dt",
    "dd", "table", "caption", "thead", "tbody", "tfoot", "tr", "td", "th", "pre", "hr",
    "h1", "h2", "h3", "h4", "h5", "h6",
}  # fmt: skip
INLINE = {"span", "font", "strong", "b", "em", "i"}
CONTENT_ELEMENTS = {"img", "br", "figure"}  # count as content though they hold no text
# Browsers flatten anything deeper (Blink's limit); nh3's parser is quadratic in depth, so
# 100,000 nested <div>s took minutes there.
MAX_HTML_DEPTH = 512
# A crawled article has a few hundred elements; 500,000 '<b>a</b>' in a 4 MB file is not one.
MAX_HTML_ELEMENTS = 50_000
LEADING_LINES = 3  # 原标题 and 来源 sit in the first few paragraphs, before any image

# Comments and processing instructions never reach the tree; bytes in, because lxml refuses
# a str that carries an <?xml encoding=...?> declaration. huge_tree: a 5 MB text node is legal.
PARSER = lxml.html.HTMLParser(
    encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True, recover=True
)


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

    leading: list = field(default_factory=list)  # non-empty lines (below) before the first image
    paragraphs: list = field(default_factory=list)
    # Paragraphs and the <div>s inside the body that hold a line of text and no block (中山网
    # closes with <div class="article-author"><span>责任编辑：龙慧</span></div>), in order.
    lines: list = field(default_factory=list)
    editor_lines: list = field(default_factory=list)
    images: list = field(default_factory=list)
    fonts: list = field(default_factory=list)
    preformatted: list = field(default_factory=list)
    containers: list = field(default_factory=list)
    boilerplate_images: set = field(default_factory=set)


def has_class(element, name):
    return name in (element.get("class") or "").split()


def text_of(node):
    return "".join(node.itertext()).strip(INDENT)


def gone(element, root):
    """Removed from the tree, directly or with an ancestor."""
    return not any(ancestor is root for ancestor in element.iterancestors())


def remove(element):
    """Drop an element and everything in it, keeping the text that follows it."""
    if element.getparent() is not None:
        element.drop_tree()


def sort_elements(root):
    parts = Parts()
    # The footers' "download our app" QR codes, related posts and ad slots: their images are
    # also dropped where the front matter names one as the lead image.
    for block in feeds.boilerplate_blocks(root):
        parts.boilerplate_images.update(img.get("src", "") for img in block.iter("img"))
        remove(block)
    for player in feeds.players(root):
        poster = next((img for img in player.iter("img") if img.get("src")), None)
        if poster is not None:
            poster.tail = None
            player.addprevious(poster)
        remove(player)
    etree.strip_elements(root, *DROPPED, with_tail=False)
    seen_image = False
    for element in root.iterdescendants():
        name = element.tag
        if name == "p" and has_class(element, "article-editor"):
            parts.editor_lines.append(element)
        elif name == "img":
            seen_image = True
            parts.images.append(element)
        else:
            if name == "p":
                parts.paragraphs.append(element)
            if name == "p" or (name == "div" and is_line(element, root)):
                parts.lines.append(element)
                # 人民日报 opens with <div class="otitle">原标题：…</div>, others with a <p>
                if not seen_image and len(parts.leading) < LEADING_LINES and text_of(element):
                    parts.leading.append(element)
            elif name == "font":
                parts.fonts.append(element)
            elif name == "pre":
                parts.preformatted.append(element)
            if name in EMPTY_REMOVABLE:
                parts.containers.append(element)
    return parts


def is_line(div, root):
    """A <div> inside the body's wrapper that holds inline content only."""
    parent = div.getparent()
    return (
        parent is not None
        and parent is not root
        and not any(isinstance(child.tag, str) and child.tag in BLOCKS_IN_PRE for child in div)
    )


def editor_name(line):
    name = WORK_CODE.sub("", line.strip(INDENT)).strip(INDENT)
    # A "name" past this is a paragraph, not an editor; Editor.name holds 200 characters.
    return name if len(name) <= MAX_EDITOR_LENGTH else ""


def take_editor(root, parts):
    editor = ""
    for node in parts.editor_lines:
        found = EDITOR_LINE.search(text_of(node))
        if found and not editor:
            editor = editor_name(found.group(1))
        remove(node)
    if not editor:  # other layouts put the line in a plain paragraph near the end
        for node in reversed(parts.lines[-3:]):
            found = not gone(node, root) and EDITOR_LINE.match(text_of(node))
            if found:
                editor = editor_name(found.group(1))
                remove(node)
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
            original_title, outlet = feeds.split_title_and_source(" ".join(found.group(1).split()))
            if outlet and looks_like_outlet(outlet):
                source = outlet
            elif outlet:  # '来源' inside a title that is not followed by an outlet's name
                original_title = " ".join(found.group(1).split())
            remove(leading.pop(0))
    if leading and not source:
        line = text_of(leading[0])
        found = SOURCE_LINE.match(line)
        # A bare outlet name ('吉林省人民政府网') only counts right after a 原标题 line.
        if found or (original_title and looks_like_outlet(line)):
            candidate = (found.group(1) if found else line).strip(INDENT)
            if looks_like_outlet(candidate):
                source = candidate
                remove(leading[0])
    return original_title, source


def take_closing_lines(root, parts, source, editor):
    """21世纪经济报道 and others close with '来源：东方财富网' and '（编辑：谢珍）' paragraphs."""
    for node in reversed(parts.lines[-4:]):
        if gone(node, root):
            continue
        line = text_of(node)
        found_editor = feeds.closing_editor(line)
        found_source = feeds.closing_source(line)
        if found_editor and not editor:
            editor = editor_name(found_editor)
            remove(node)
        elif found_source and not source and looks_like_outlet(found_source):
            source = found_source
            remove(node)
    return source, editor


def credit_after(node):
    """The paragraph right after an image, if it is a photo credit ('... 邹乃硕 摄')."""
    sibling = node.getnext()
    if sibling is not None and sibling.tag == "p" and PHOTO_CREDIT.search(text_of(sibling)):
        return sibling
    return None


def image_holder(img, root):
    """The element an image's <figure> replaces, the element holding its caption, and the
    address the image linked to (cnBeta links each image to itself: that link is dropped)."""
    parent = img.getparent()
    holder, description, href = img, None, ""
    link = feeds.link_around(img)
    if link is not None:
        holder, href = link, safe_url(link.get("href"))
        if href == safe_url(img.get("src") or img.get("data-src")):
            href = ""
        parent = link.getparent()
        if parent is not root and parent.tag == "figure":  # a linked image we stored
            holder, description = parent, parent.find(".//figcaption")
    elif parent is not root:
        if parent.tag == "figure":  # our own export, or a modern layout
            holder, description = parent, parent.find(".//figcaption")
        elif has_class(parent, "img_wrapper"):
            spans = (span for span in parent.iter("span") if has_class(span, "img_descr"))
            holder, description = parent, next(spans, None)
    above = holder.getparent()
    # A <figure> may not sit inside a <p>: the paragraph holding this image alone becomes the
    # figure; one holding more (cnBeta puts two images in one) is split around it.
    if (
        above is not root
        and above.tag == "p"
        and not text_of(above)
        and all(child is holder or child.tag == "br" for child in above)
    ):
        holder = above
    return holder, description, href


def take_images(root, parts):
    images = []
    for img in parts.images:
        if gone(img, root):
            continue
        # The src becomes ArticleImage.src and maybe the lead image, outside nh3's reach.
        src = safe_url(img.get("src") or img.get("data-src"))
        if not src or src in parts.boilerplate_images:
            remove(img)
            continue
        if feeds.is_icon(img):  # stays in its line, as its page showed it; not a photo
            continue
        holder, description, href = image_holder(img, root)
        caption = text_of(description) if description is not None else ""
        credit = credit_after(holder)
        if credit is not None:
            caption = caption or text_of(credit)
            remove(credit)
        alt = (img.get("alt") or "").strip()
        images.append(Image(src=src, alt=alt, caption=caption))
        figure = holder.makeelement("figure", {})
        attributes = {"alt": alt, "src": src}
        # A size lets the browser hold the image's place, so the page does not jump as
        # it loads; a title is the author's own tooltip.
        attributes.update(
            (name, img.get(name).strip())
            for name in ("width", "height", "title")
            if (img.get(name) or "").strip() and (name == "title" or img.get(name).isdigit())
        )
        inside = etree.SubElement(figure, "a", {"href": href}) if href else figure
        etree.SubElement(inside, "img", attributes)
        if caption:
            etree.SubElement(figure, "figcaption").text = caption
        # replace() would drop the holder's tail: the text after the image.
        figure.tail, holder.tail = holder.tail, None
        holder.getparent().replace(holder, figure)
        lift_out_of_paragraph(figure)
    return images


def lift_out_of_paragraph(figure):
    """A <figure> may not sit in a <p> ('text<br>![](a.png)' in Markdown): split the
    paragraph around it here, as the sanitizer's parser would, so that cleaning the stored
    body again finds nothing left to move."""
    paragraph = figure.getparent()
    if paragraph is None or paragraph.tag != "p":
        return
    after = paragraph.makeelement("p", {})
    after.text, figure.tail = (figure.tail or "").lstrip(INDENT), None
    for sibling in list(figure.itersiblings()):
        after.append(sibling)
    while not after.text and len(after) and after[0].tag == "br":  # no paragraph opens so
        after.text = (after[0].tail or "").lstrip(INDENT)
        after.remove(after[0])
    tail, paragraph.tail = paragraph.tail, None
    paragraph.addnext(figure)
    if after.text or len(after):
        figure.addnext(after)
        after.tail = tail
    else:
        figure.tail = tail
    if not (paragraph.text or "").strip(INDENT) and not len(paragraph):
        remove(paragraph)


def first_text(paragraph):
    """(element, "text" or "tail"): where the paragraph's first piece of text lives."""
    for event, element in etree.iterwalk(paragraph, events=("start", "end")):
        if event == "start" and element.text:
            return element, "text"
        if event == "end" and element is not paragraph and element.tail:
            return element, "tail"
    return None, None


def normalize_markup(root, parts):
    for font in parts.fonts:
        if font.getparent() is None:
            continue
        if font.get("cms-style", "").startswith("strong"):
            font.tag = "strong"
            font.attrib.clear()
        else:
            font.drop_tag()
    for pre in parts.preformatted:
        for inner in list(pre.iterdescendants(*BLOCKS_IN_PRE)):
            inner.drop_tag()
    # Paragraph indents were typed as ideographic spaces; the stylesheet indents instead.
    for paragraph in parts.paragraphs:
        if gone(paragraph, root):
            continue
        element, slot = first_text(paragraph)
        if element is not None:
            setattr(element, slot, getattr(element, slot).lstrip(INDENT))


def holding_content(root):
    """The elements that hold text or an image, found in one walk.

    Asking each container for its text was a walk of its whole subtree: 100,000 nested
    <div>s took most of an hour. Marking the ancestors of each piece of content, and stopping
    at one already marked, touches every element once.
    """
    held = set()

    def mark(element):
        while element is not None and element not in held:
            held.add(element)
            element = element.getparent()

    for element in root.iter():
        if element.tag in CONTENT_ELEMENTS or (element.text and element.text.strip(INDENT)):
            mark(element)
        if element.tail and element.tail.strip(INDENT) and element is not root:
            mark(element.getparent())
    return held


def remove_empty(root, parts):
    held = holding_content(root)
    # Classes stay: the sanitizer keeps only those its allowlist gives a meaning (a code
    # sample's highlighting, footnotes) and drops the layout's own.
    for element in reversed(parts.containers):
        if element not in held and element.tag in INLINE and has_space(element):
            # '<span> </span>' between two words is the space between them (开源中国).
            element.drop_tag()
        elif element not in held:
            remove(element)


def has_space(element):
    return bool(element.text) and not element.text.strip(INDENT)


def unwrap_single_div(root):
    """Crawled bodies sit in one outer <div> (开源中国: two); keep the paragraphs, drop the
    wrappers."""
    while True:
        children = list(root)
        texts = [root.text, *(child.tail for child in children)]
        if len(children) != 1 or children[0].tag != "div" or "".join(filter(None, texts)).strip():
            break
        children[0].drop_tag()
    # A rule left closing the article once the footer under it is gone (199IT).
    while len(root) and root[-1].tag == "hr" and not (root[-1].tail or "").strip():
        remove(root[-1])


def serialize_text(text):
    """The footer leaves runs of blank lines between blocks; text inside blocks is untouched
    (a <pre> keeps its lines), so cleaning the output again changes nothing."""
    if not text:
        return ""
    if not text.strip():
        return "\n" if "\n" in text else text
    return html_lib.escape(text, quote=False)


def serialize_children(root):
    out = [serialize_text(root.text)]
    for child in root:
        # lxml.html.tostring() would also look for a <meta> to drop: none is left (DROPPED).
        out.append(etree.tostring(child, method="html", encoding="unicode", with_tail=False))
        out.append(serialize_text(child.tail))
    return "".join(out).strip()


def check_html_shape(html, document):
    """Refuse bodies that would take minutes to sanitize: too deep, or too many elements.

    libxml2 builds the tree in C in milliseconds (it stops counting depth at 2048), where
    nh3 would take minutes.
    """
    if html.count("<") <= MAX_HTML_DEPTH:  # a normal article: too few tags for either limit
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
    html = CONTROL_CHARACTERS.sub("", COMMENT.sub("", html))
    document = etree.fromstring(html.encode("utf-8", "replace"), PARSER)
    if document is None:  # nothing but blanks
        return CleanedBody(html="")
    check_html_shape(html, document)
    root = document.find("body")
    if root is None:
        root = document
    parts = sort_elements(root)
    editor = take_editor(root, parts)
    original_title, source = take_title_and_source(parts)
    source, editor = take_closing_lines(root, parts, source, editor)
    images = take_images(root, parts)
    normalize_markup(root, parts)
    remove_empty(root, parts)
    unwrap_single_div(root)
    return CleanedBody(
        html=serialize_children(root),
        original_title=original_title,
        source=source,
        editor=editor,
        images=images,
        boilerplate_images=parts.boilerplate_images,
    )
