"""The comparison the editor round trip relies on sees real losses, and the cleaner's <pre>."""

from articles.content import sanitize
from articles.importing.cleaning import clean_body

from .body_structure import structure

IMPORTED = (
    '<p>正文<b>加粗</b></p>\n<figure><img src="https://n.sinaimg.cn/a.jpg" alt="图" '
    'referrerpolicy="no-referrer" loading="lazy"><figcaption>新华社记者 摄</figcaption></figure>\n'
    "<ul><li>一<ul><li>二</li></ul></li></ul><table><thead><tr><th>列</th></tr></thead>"
    '<tbody><tr><td>值</td></tr></tbody></table><p><a href="https://a.cn/"><code>f()</code></a></p>'
)
# What the editor sends back for it (its normal form, nothing lost), before the sanitizer.
EDITOR_FORM = (
    '<p>正文<strong>加粗</strong></p><figure class="figure">'
    '<img src="https://n.sinaimg.cn/a.jpg" alt="图">'
    '<figcaption class="figure-caption">新华社记者 摄</figcaption></figure>'
    "<ul><li><p>一</p><ul><li><p>二</p></li></ul></li></ul><table><tbody><tr><th><p>列</p></th>"
    '</tr><tr><td><p>值</p></td></tr></tbody></table><p><code><a href="https://a.cn/">f()</a></code></p>'
)


def test_the_editors_normal_form_is_the_same_body():
    assert structure(sanitize(EDITOR_FORM)) == structure(IMPORTED)


def test_a_lost_caption_image_link_or_cell_shows():
    for lost in (
        EDITOR_FORM.replace('<figcaption class="figure-caption">新华社记者 摄</figcaption>', ""),
        EDITOR_FORM.replace('<img src="https://n.sinaimg.cn/a.jpg" alt="图">', ""),
        EDITOR_FORM.replace('<a href="https://a.cn/">f()</a>', "f()"),
        EDITOR_FORM.replace("<td><p>值</p></td>", ""),
        EDITOR_FORM.replace("<strong>加粗</strong>", "加粗"),
    ):  # fmt: skip
        assert structure(sanitize(lost)) != structure(IMPORTED)


def test_the_cleaner_keeps_only_text_inside_pre():
    cleaned = clean_body("<pre>  <figcaption>caption</figcaption>\n  <code>x</code></pre>")
    assert cleaned.html == "<pre>  caption\n  <code>x</code></pre>"


def test_a_code_sample_that_loses_its_line_breaks_shows():
    sample = (
        '<pre><code class="language-rust"><span class="k">pub</span>\n<span class="k">fn</span>'
        "</code></pre>"
    )
    assert structure(sample.replace("\n", "")) != structure(sample)
    assert structure(sample.replace("\n", "\n\n")) != structure(sample)


def test_a_figure_without_a_picture_filled_with_an_empty_image_shows():
    quote = (
        '<figure class="quote"><blockquote><p>q</p></blockquote><figcaption>c</figcaption></figure>'
    )
    assert structure(quote.replace("<blockquote>", "<img><blockquote>")) != structure(quote)
