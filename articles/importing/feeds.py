"""What the crawled feeds beyond Sina put around an article, and how to tell it from the text.

Each rule names the feed that taught it (see tests/fixtures/crawler_feeds/). lxml elements
in, plain values out; cleaning.py decides where in its one walk over the tree each applies.
"""

import re

# Blocks that are the site's, not the article's: the Sina app footers ("海量资讯…尽在新浪财经APP",
# "股民福利" account-opening QR codes), 199IT's related posts and AdSense slots, BBC's ad slots,
# 联合早报's "请订阅或登录，以继续阅读全文！" paywall prompt.
BOILERPLATE_CLASSES = {
    "appendQr_wrap",  # Sina
    "app-kaihu-qr",
    "app-qihuo-kaihu-qr",
    "wp_rp_wrap",  # 199IT
    "adsbygoogle",
    "bbccom_slot",  # BBC
    "article-microtransaction",  # 联合早报
}
BOILERPLATE_IDS = {"app-kaihu-stock"}
# Sina's video player: its controls ("视频加载中，请稍候...", "自动播放", "向前") are no text of
# the article, and the video does not play here; its poster stays, as the page showed it.
PLAYER_CLASSES = {"artical-player-wrap"}
CLASS_SEPARATOR = re.compile("[ \t\n\r]+")  # what XPath's normalize-space() splits on
# 199IT closes every daily report with the same promotion of its own tools, and the QR code
# in it is also the file's thumbnail.
PROMOTIONS = ("199IT大数据导航",)
# 21世纪经济报道 closes with '来源：东方财富网' and '（编辑：谢珍）'
# or '（作者：刘巷,李悟 编辑：李剑华）'; 开源中国 with '稿源：Wordpress 简体中文网'.
CLOSING_SOURCE = re.compile(r"^[（(]?(?:文章|本文)?[来稿]源\s*[：:]\s*([^（）()]+?)[）)]?$")
CLOSING_EDITOR = re.compile(
    r"^[（(](?:作者\s*[：:][^（）()]*?\s+)?编辑\s*[：:]\s*([^（）()]+?)[）)]$"
)
# '原标题：… 来源：…' on one line: the title ends where the outlet begins.
TITLE_WITH_SOURCE = re.compile(r"^(.+?)\s*(?:文章)?来源\s*[：:]\s*(.+)$", re.DOTALL)
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
INLINE_TEXT = {"a", "span", "strong", "b", "em", "i", "code"}
MAX_ICON_PIXELS = 32  # ACM's 16 px 'DL Author Profile' link icon; no photo is this small
PIXELS = re.compile(r"(\d+(?:\.\d+)?)\s*(?:px)?\s*$")
STYLE_SIZE = re.compile(r"(?:^|;)\s*(width|height)\s*:\s*(\d+(?:\.\d+)?)px", re.I)


def has_any_class(element, names):
    classes = element.get("class")
    return bool(classes) and not names.isdisjoint(CLASS_SEPARATOR.split(classes))


def boilerplate_blocks(root):
    """The site's blocks, in document order. A walk over the body's few dozen elements in
    Python costs a tenth of one XPath class test (concat, normalize-space) on each of them."""
    blocks, quotes = [], []
    for element in root.iter():
        if has_any_class(element, BOILERPLATE_CLASSES) or element.get("id") in BOILERPLATE_IDS:
            blocks.append(element)
        elif element.tag == "blockquote":
            quotes.append(element)
    for quote in quotes:
        text = "".join(quote.itertext())
        if any(marker in text for marker in PROMOTIONS):
            blocks.append(quote)
    return blocks


def players(root):
    return [element for element in root.iter() if has_any_class(element, PLAYER_CLASSES)]


def split_title_and_source(title):
    """('原标题' text) -> (title, source or '')."""
    found = TITLE_WITH_SOURCE.match(title)
    if not found:
        return title, ""
    return found.group(1).strip(), found.group(2).strip()


def closing_source(text):
    found = CLOSING_SOURCE.match(text)
    return found.group(1).strip() if found else ""


def closing_editor(text):
    found = CLOSING_EDITOR.match(text)
    return found.group(1).strip() if found else ""


def size_of(img):
    """The declared (width, height) in pixels, None where not declared."""
    sizes = {}
    for name in ("width", "height"):
        found = PIXELS.match(img.get(name) or "")
        sizes[name] = float(found.group(1)) if found else None
    for name, value in STYLE_SIZE.findall(img.get("style") or ""):
        sizes[name.lower()] = float(value)
    return sizes["width"], sizes["height"]


def is_icon(img):
    """An image that belongs in the line it sits in: a tiny one, one inside a heading, or a
    linked one next to linked text (ACM's name, then its profile icon). The last holds once
    the sanitizer has dropped the heading, so cleaning stored output keeps it inline."""
    if any(size is not None and size <= MAX_ICON_PIXELS for size in size_of(img)):
        return True
    if any(ancestor.tag in HEADINGS for ancestor in img.iterancestors()):
        return True
    link = link_around(img)
    if link is None:
        return False
    neighbours = (link.getprevious(), link.getnext())
    return any(
        n is not None and n.tag in INLINE_TEXT and "".join(n.itertext()).strip() for n in neighbours
    )


def link_around(img):
    """The <a> that holds nothing but this image (cnBeta links each image to itself)."""
    parent = img.getparent()
    if parent is None or parent.tag != "a" or len(parent) != 1:
        return None
    if (parent.text or "").strip() or (img.tail or "").strip():
        return None
    return parent
