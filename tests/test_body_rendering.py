"""Bodies as their sites showed them: Markdown rendered as CommonMark/GFM, code kept as text,
crawled HTML left alone, and what the allowlist keeps. Runs the worker's whole pipeline
(render -> clean -> sanitize) over real posts, no database."""

import re
from collections import Counter

import cmarkgfm
import pytest
from bs4 import BeautifulSoup

from articles.content import sanitize
from articles.content.highlight import stylesheet
from articles.importing.bodies import render_body
from articles.importing.markdown import is_html
from articles.importing.pipeline import ArticleData, process_post
from articles.importing.reading import raw_post_from_bytes

from .conftest import ROOT, SEEDS, SHARED

BLOG_ROOTS = [SHARED / "corpus", ROOT / "tests" / "fixtures" / "blogs"]
POST_SUFFIXES = {".md", ".markdown"}


def real_posts():
    found = []
    for root in BLOG_ROOTS:
        found += sorted(
            path
            for path in root.rglob("*")
            if path.suffix in POST_SUFFIXES and path.is_file() and path.name != "README.md"
        )
    return found


def build(text, name="post.md"):
    result = process_post((name, text.encode("utf-8"), "Asia/Shanghai"))
    assert isinstance(result, ArticleData), result
    return result


def post(body, title="T", markup=""):
    front = f"title: {title}\ndate: 2022-01-01\n" + (f"markup: {markup}\n" if markup else "")
    return f"---\n{front}---\n{body}"


def outside_code(html):
    """The body's text and markup with every code sample taken out."""
    soup = BeautifulSoup(html, "html.parser")
    for code in soup.find_all(["pre", "code"]):
        code.decompose()
    return str(soup)


# What unrendered Markdown looks like once it reached a page as text. Text can look like
# this for good reasons (an escaped '\\*', '**' that CommonMark's flanking rules leave open
# next to CJK punctuation, '4680.' starting a line), so each hit must also be text in
# cmark-gfm's rendering of the same body: GitHub's reference implementation is the oracle.
LEFTOVER_MARKDOWN = {
    "heading": re.compile(r"(?m)^\s*#{1,6} \S.*$"),
    "setext underline": re.compile(r"(?m)^\s*={3,}\s*$"),
    "list item": re.compile(r"(?m)^\s*[-*+] \S.*$"),
    "numbered item": re.compile(r"(?m)^\s*\d{1,9}[.)] \S.*$"),
    "fence": re.compile(r"(?m)^\s*(?:```|~~~).*$"),
    "link": re.compile(r"\[[^\]\n]+\]\([^()\s]+\)"),
    "emphasis": re.compile(r"\*\*\S[^*\n]*\S\*\*"),
    "strikethrough": re.compile(r"~~\S[^~\n]*~~"),
    "table rule": re.compile(r"\|\s*:?-{3,}:?\s*\|"),
}
# Engine tags are checked absolutely: no renderer but ours knows them.
ENGINE_TAGS = {
    "Hexo or Jekyll tag": re.compile(r"\{%-?\s*\w.*?%\}", re.DOTALL),
    "Hugo shortcode": re.compile(r"\{\{[<%].*?[%>]\}\}", re.DOTALL),
    "Zola shortcode or Liquid value": re.compile(r"\{\{-?\s*[\w.]+\s*(?:\(.*?\))?\s*-?\}\}"),
}
CMARK_OPTIONS = cmarkgfm.Options.CMARK_OPT_UNSAFE | cmarkgfm.Options.CMARK_OPT_FOOTNOTES


BLOCK_EDGE = re.compile(
    r"</?(?:p|li|h[1-6]|dt|dd|td|th|tr|blockquote|div|figure|figcaption)\b[^>]*>|<br\s*/?>"
)


def hits(html, rules):
    """Each rule's matches in the text a reader sees (code samples aside), a line per block
    and the source's own line breaks kept."""
    text = BLOCK_EDGE.sub("\n", outside_code(html))
    text = BeautifulSoup(text, "html.parser").get_text()
    return Counter(
        (name, " ".join(found.group(0).split()))
        for name, rule in rules.items()
        for found in rule.finditer(text)
    )


def leftovers(html, body):
    """Markdown left as text that cmark-gfm rendered, and any engine tag left at all."""
    oracle = hits(cmarkgfm.github_flavored_markdown_to_html(body, CMARK_OPTIONS), LEFTOVER_MARKDOWN)
    return (hits(html, LEFTOVER_MARKDOWN) - oracle) + hits(html, ENGINE_TAGS)


def test_real_posts_are_there():
    posts = real_posts()
    assert len([p for p in posts if "corpus" in p.parts]) == 73
    assert all(p.stat().st_size > 0 for p in posts)


@pytest.mark.parametrize("path", real_posts(), ids=lambda p: "/".join(p.parts[-3:]))
def test_real_post_leaves_no_markdown_and_sanitizes_to_itself(path):
    # The real body under a plain front matter: what is checked here is the body, whatever
    # the engine would infer from the file's own keys.
    body = raw_post_from_bytes(path.name, path.read_bytes()).body
    article = build(post(body))
    assert leftovers(article.body_html, body) == Counter(), path
    assert sanitize(article.body_html) == article.body_html


def test_crawled_seeds_are_html_and_pass_through_untouched():
    for path in sorted(SEEDS.iterdir()):
        raw = raw_post_from_bytes(path.name, path.read_bytes())
        assert is_html(raw.body)
        assert render_body(raw.body).html == raw.body


def test_html_in_code_does_not_turn_markdown_off():
    article = build(
        post(
            "# 标题\n\nA `<table>` in a code span, a line break<br>and:\n\n"
            "- one\n- [two](https://example.com/)\n\n"
            "```php\necho \"<img src='a.png'><img src='b.png'>\";\n```\n"
        )
    )
    html = article.body_html
    assert "<h2" in html and "<li>one</li>" in html
    assert '<a href="https://example.com/"' in html
    assert "<code>&lt;table&gt;</code>" in html
    assert "<img" not in html  # the PHP sample's images stay text
    assert "&lt;img src='a.png'&gt;" in BeautifulSoup(html, "html.parser").pre.decode_contents()
    assert article.body_text.count("<img") == 2


def test_cpp_sample_keeps_the_rest_of_the_post():
    sample = "```cpp\nauto n = static_cast<int>(x);\nstd::vector<std::string> v;\n```\n\n"
    tail = "## After the sample\n\n" + "Every paragraph after it is kept. " * 200
    article = build(post("Intro paragraph.\n\n" + sample + tail))
    assert "auto n = static_cast<int>(x);\nstd::vector<std::string> v;" in (
        BeautifulSoup(article.body_html, "html.parser").pre.get_text()
    )
    assert article.body_text.count("Every paragraph after it is kept.") == 200
    assert '<h2 id="user-content-after-the-sample">After the sample</h2>' in article.body_html


def test_commonmark_and_gfm_constructs():
    html = build(
        post(
            "Text right above a list:\n- first\n  - nested by two spaces\n- second\n\n"
            "1. step\n\n   ```sh\n   make test\n   ```\n\n"
            "~~gone~~ and a bare https://example.com/x link.\n\n"
            "Thanks [@yoshinorin] in [#4633].\n\n"
            "[@yoshinorin]: https://github.com/yoshinorin\n"
            "[#4633]: https://github.com/hexojs/hexo/pull/4633\n"
        )
    ).body_html
    soup = BeautifulSoup(html, "html.parser")
    assert [li.contents[0].strip() for li in soup.ul.find_all("li", recursive=False)] == [
        "first",
        "second",
    ]
    assert soup.ul.li.ul.li.get_text() == "nested by two spaces"
    assert soup.ol.li.pre.code["class"] == ["language-sh"]
    assert soup.ol.li.pre.get_text() == "make test\n"
    assert soup.find("s").get_text() == "gone"
    links = {a.get_text(): a["href"] for a in soup.find_all("a")}
    assert links == {
        "https://example.com/x": "https://example.com/x",
        "@yoshinorin": "https://github.com/yoshinorin",
        "#4633": "https://github.com/hexojs/hexo/pull/4633",
    }


def test_footnotes_link_to_prefixed_ids_and_tables_align_by_class():
    html = build(
        post("Claim[^1].\n\n| left | right |\n|:--|--:|\n| a | b |\n\n[^1]: Source.\n")
    ).body_html
    soup = BeautifulSoup(html, "html.parser")
    ref = soup.find("sup").a
    note = soup.find(id=ref["href"][1:])
    assert ref["href"] == "#user-content-fn1" and note.name == "li"
    assert soup.find(id=note.find("a")["href"][1:]) is ref
    assert [c["class"] for c in soup.find_all(["th", "td"])] == [
        ["align-left"],
        ["align-right"],
    ] * 2
    assert "style=" not in html


def test_h1_becomes_the_top_level_below_the_page_title():
    html = build(post("Setext title\n===\n\n# ATX title\n\n## Section\n\n###### Deep\n")).body_html
    assert re.findall(r"<h(\d)", html) == ["2", "2", "3", "6"]
    assert "<h1" not in build(post("<h1>Raw</h1>\n\nText.\n")).body_html


def test_hugos_markup_key_says_html_or_markdown_without_guessing():
    # After a <p>, a <pre> is in the <p>'s HTML block, which a blank line ends (CommonMark).
    sample = "<p>Code:</p>\n<pre><code>x\n\n- a\n</code></pre>\n"
    assert "- a" not in build(post(sample)).body_html  # read as a list item
    assert build(post(sample, markup="HTML")).body_html == sample.strip()
    # Crawled HTML indents lines by four spaces: as HTML they are text, as Markdown code.
    indented = "<p>a</p>\n\n    b\n"
    assert "<pre>" not in build(post(indented)).body_html
    assert "<pre><code>b" in build(post(indented, markup="md")).body_html
    article = build(post("*a*\n", markup="rst"))
    assert article.body_html == "<p><em>a</em></p>" and "markup" not in article.extra
    assert article.notes == ["markup 'rst' is not a format the archive reads; told by the body"]
    assert build(post("*a*\n", markup="[md]")).body_html == "<p><em>a</em></p>"


def test_allowlist_keeps_what_blogs_use():
    html = sanitize(
        '<h1 id="top">T</h1><dl><dt>term</dt><dd>def</dd></dl><p><del>a</del><ins>b</ins>'
        "<s>c</s><sup>1</sup><sub>2</sub><kbd>Ctrl</kbd><mark>m</mark>"
        '<abbr title="HyperText">HTML</abbr></p><details open><summary>More</summary>x</details>'
        '<img src="https://e.com/a.png" width="640" height="480" style="color:red">'
        '<table><tr><td align="right" class="align-right evil">1</td></tr></table>'
        '<pre><code class="language-python evil"><span class="k" onclick="x()">def</span>'
        "</code></pre>"
    )
    assert html == (
        '<h1 id="user-content-top">T</h1><dl><dt>term</dt><dd>def</dd></dl><p><del>a</del>'
        "<ins>b</ins><s>c</s><sup>1</sup><sub>2</sub><kbd>Ctrl</kbd><mark>m</mark>"
        '<abbr title="HyperText">HTML</abbr></p><details open=""><summary>More</summary>x'
        '</details><img src="https://e.com/a.png" width="640" height="480" '
        'referrerpolicy="no-referrer" loading="lazy"><table><tbody><tr><td align="right" '
        'class="align-right">1</td></tr></tbody></table><pre><code class="language-python">'
        '<span class="k">def</span></code></pre>'
    )
    assert sanitize(html) == html
    # An id the page itself uses cannot be taken over by a body.
    assert sanitize('<h2 id="main">x</h2>') == '<h2 id="user-content-main">x</h2>'


def test_forced_image_attributes_come_in_one_order():
    assert sanitize('<img src="a.png">') == (
        '<img src="a.png" referrerpolicy="no-referrer" loading="lazy">'
    )


def test_an_element_stripped_of_every_class_keeps_no_class_attribute():
    # The editor writes <figure class="figure">; nh3 would leave class="" behind.
    assert sanitize('<figure class="figure"><figcaption class="c">x</figcaption></figure>') == (
        "<figure><figcaption>x</figcaption></figure>"
    )
    assert sanitize('<code class="hljs">x</code>') == "<code>x</code>"
    assert sanitize('<p>class="" is text</p>') == '<p>class="" is text</p>'


def test_task_lists_are_glyphs_not_controls():
    html = build(post("- [x] done\n- [ ] open\n")).body_html
    assert "<input" not in html
    assert "\u2611 done" in html and "\u2610 open" in html


def test_pygments_stylesheet_is_current():
    shipped = (ROOT / "static" / "css" / "pygments.css").read_text(encoding="utf-8")
    assert shipped == stylesheet()
    assert "style=" not in build(post("```python\nx = 1\n```\n")).body_html


def test_the_leftover_check_catches_what_the_old_renderer_left():
    import markdown

    body = "Text right above a list:\n- first\n- [second](https://e.com/)\n\n~~gone~~\n"
    assert leftovers(build(post(body)).body_html, body) == Counter()
    old = markdown.markdown(body, extensions=["extra", "sane_lists"])
    assert set(leftovers(old, body)) == {
        ("list item", "- first"),
        ("list item", "- second"),
        ("strikethrough", "~~gone~~"),
    }


def test_real_php_samples_stay_text():
    path = ROOT / "tests/fixtures/blogs/bodies-code-samples/vim-plugins-nerd-commenter.md"
    raw = raw_post_from_bytes(path.name, path.read_bytes())
    html = build(post(raw.body)).body_html
    samples = "".join(pre.get_text() for pre in BeautifulSoup(html, "html.parser").find_all("pre"))
    assert samples.count('echo "<img src="image_folder/".$today.".gif">";') == 6
    assert html.count("<img") == 1  # the post's own logo, and none of the samples'
    assert raw.body.count("echo") == samples.count("echo")
