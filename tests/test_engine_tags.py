"""Hexo tag plugins, Jekyll Liquid tags, Hugo and Zola shortcodes as their sites showed them;
tags inside code stay text; what cannot be rendered is reported for its file."""

import re

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from articles.importing import tag_library
from articles.importing.bodies import render_body
from articles.importing.errors import PostError
from articles.importing.pipeline import ArticleData, process_post
from articles.models import Article, ImportRun

from .conftest import SHARED
from .importing import run_import, write

HEXO_UNIT_TESTS = SHARED / "corpus" / "hexojs+hexo-theme-unit-test" / "source" / "_posts"


def build(body, name="post.md"):
    text = f"---\ntitle: T\ndate: 2022-01-01\n---\n{body}"
    result = process_post((name, text.encode("utf-8"), "Asia/Shanghai"))
    assert isinstance(result, ArticleData), result
    return result


def soup_of(html):
    return BeautifulSoup(html, "html.parser")


def hexo_post(name):
    return build((HEXO_UNIT_TESTS / name).read_text(encoding="utf-8").split("---", 1)[1])


def test_hexo_tag_plugins_post():
    article = hexo_post("tag-plugins.md")
    soup = soup_of(article.body_html)
    quotes = soup.find_all("figure", class_="quote")
    assert [q.figcaption.get_text() for q in quotes] == [
        "— David Levithan, Wide Awake",
        "— @DevDocs, twitter.com/devdocs/status/356095192085962752",
        "— Seth Godin, Welcome to Island Marketing",
    ]
    assert quotes[2].cite.a["href"].startswith("http://sethgodin.typepad.com/")
    captions = [f.figcaption.get_text() for f in soup.find_all("figure", class_="code")]
    assert captions[:2] == ["Array.map", ".compact Underscore.js"]
    js = soup.find("code", class_="language-js")
    assert js.get_text().startswith("const http = require('http');")
    assert js.find("span", class_="kd").get_text() == "const"
    links = {a["href"] for a in soup.find_all("a")}
    assert {"https://gist.github.com/996818", "https://jsfiddle.net/ccWP7/"} <= links
    assert soup.find("blockquote", class_="pullquote") is not None
    assert "{%" not in article.body_text
    assert "<iframe" not in article.body_html


def test_hexo_videos_post_links_to_the_videos():
    soup = soup_of(hexo_post("videos.md").body_html)
    hrefs = [figure.a["href"] for figure in soup.find_all("figure", class_="embed")]
    assert hrefs == ["https://www.youtube.com/watch?v=TIbZDRXM-Tg", "https://vimeo.com/82090131"]
    assert soup.find("iframe") is None


def test_hexo_img_link_raw_and_post_link():
    html = build(
        '{% img left /images/a.png 300 200 "Title" "Alt text" %}\n\n'
        "{% link Hexo site https://hexo.io %}\n\n"
        "See {% post_link hello-world 'the first post' %}.\n\n"
        '{% raw %}\n<p class="x">raw <b>HTML</b></p>\n{% endraw %}\n',
        name="x.md",
    ).body_html
    soup = soup_of(html)
    img = soup.img
    assert (img["src"], img["width"], img["height"], img["alt"]) == (
        "/images/a.png",
        "300",
        "200",
        "Alt text",
    )
    assert soup.find("a", href="https://hexo.io").get_text() == "Hexo site"
    assert soup.find("a", string="the first post")["href"] == "/link/hello-world/"
    assert soup.b.get_text() == "HTML"


def test_jekyll_tags():
    article = build(
        "{% highlight ruby linenos %}\ndef foo\n  puts 'foo'\nend\n{% endhighlight %}\n\n"
        "See [meta-learning]({{ site.baseurl }}{% post_url 2018-11-30-meta-learning %}#maml)"
        " and [docs]({% link _posts/2016-07-26-name.md %}).\n\n"
        "```liquid\n{% raw %}{% if page.title %}{{ page.title }}{% endif %}{% endraw %}\n```\n"
    )
    soup = soup_of(article.body_html)
    assert soup.find("code", class_="language-ruby").get_text() == "def foo\n  puts 'foo'\nend\n"
    assert soup.find("a", string="meta-learning")["href"] == (
        "/link/2018-11-30-meta-learning/#user-content-maml"
    )
    assert soup.find("a", string="docs")["href"] == "/link/2016-07-26-name/"
    assert soup.find("code", class_="language-liquid").get_text() == (
        "{% if page.title %}{{ page.title }}{% endif %}\n"
    )


def test_hugo_and_zola_shortcodes():
    html = build(
        '{{< figure src="/img/a.jpg" title="A title" caption="and its caption" width="640" >}}\n\n'
        "{{< youtube w7Ft2ymGmfc >}}\n\n"
        "{{< highlight go >}}\nfunc main() {}\n{{< /highlight >}}\n\n"
        'Read [the intro]({{< ref "posts/intro.md" >}}).\n\n'
        '{{ figure(image="posts/b.png", alt="B") }}\n\n'
        "{{% gist spf13 7896402 %}}\n"
    ).body_html
    soup = soup_of(html)
    first, second = soup.find_all("figure", class_=False)
    assert first.img["src"] == "/img/a.jpg" and first.img["width"] == "640"
    assert first.figcaption.get_text() == "A title and its caption"
    assert second.img["src"] == "posts/b.png" and second.img["alt"] == "B"
    assert soup.find("a", href="https://www.youtube.com/watch?v=w7Ft2ymGmfc") is not None
    assert soup.find("code", class_="language-go").get_text() == "func main() {}\n"
    assert soup.find("a", string="the intro")["href"] == "/link/intro/"
    assert soup.find("a", href="https://gist.github.com/spf13/7896402") is not None


def test_tags_inside_code_stay_text():
    html = build(
        "Use `{% youtube id %}` or `{{< figure src=x >}}` in a post:\n\n"
        "```\n{% codeblock lang:js %}\nalert(1)\n{% endcodeblock %}\n```\n\n"
        "    {% blockquote indented %}\n"
    ).body_html
    codes = [code.get_text() for code in soup_of(html).find_all("code")]
    assert codes == [
        "{% youtube id %}",
        "{{< figure src=x >}}",
        "{% codeblock lang:js %}\nalert(1)\n{% endcodeblock %}\n",
        "{% blockquote indented %}\n",
    ]


def test_custom_tags_kept_in_a_block_or_reported():
    rendered = render_body(
        "{% note info %}\n**Mind** the [gap](https://e.com).\n{% endnote %}\n\n"
        "{% slideshare 2706811 %}\n\n{{< tweet 12345 >}}\n"
    )
    soup = soup_of(rendered.html)
    block = soup.find("div", class_="engine-tag")
    assert block.strong.get_text() == "Mind" and block.a["href"] == "https://e.com"
    assert "slideshare" not in rendered.html and "tweet" not in rendered.html
    assert rendered.warnings == [
        "body line 5: {% slideshare 2706811 %} is not a tag the archive can render; left out",
        "body line 7: {{< tweet 12345 >}} is not a tag the archive can render; left out",
    ]


def test_a_tags_headings_move_down_with_the_bodys():
    # A stored <h1> would be demoted when the stored body is read again (an export).
    rendered = render_body("# Top\n\n{% markmap %}\n# Map\n\n## Branch\n{% endmarkmap %}\n")
    assert re.findall(r"<h(\d)", rendered.html) == ["2", "2", "3"]
    assert render_body(rendered.html, markup="html").html == rendered.html


def test_source_link_pattern_is_the_route():
    assert reverse("articles:source_link", args=["x"]) == tag_library.SOURCE_LINK.format("x")


@pytest.mark.django_db
def test_warnings_are_reported_and_kept_and_post_links_resolve(tmp_path, client):
    blog = tmp_path / "blog"
    write(blog, "_posts/hello-world.md", "---\ntitle: Hello\ndate: 2022-01-01\n---\nFirst.\n")
    write(
        blog,
        "_posts/second.md",
        "---\ntitle: Second\ndate: 2022-01-02\n---\n"
        "Back to {% post_link hello-world %}.\n\n{% slideshare 2706811 %}\n",
    )
    out, err, failed = run_import(blog, verbosity=2)
    assert not failed, err
    note = "body line 3: {% slideshare 2706811 %} is not a tag the archive can render; left out"
    assert note in out
    assert any(note in warning for warning in ImportRun.objects.get().warnings)
    second = Article.objects.get(title="Second")
    href = soup_of(second.body_html).find("a", string="hello-world")["href"]
    response = client.get(href)
    assert response.status_code == 302
    assert response["Location"] == Article.objects.get(title="Hello").get_absolute_url()
    assert client.get("/link/no-such-post/").status_code == 404


@pytest.mark.parametrize(
    "body",
    ["{% a " * 20_000, "{{< a " * 20_000, "`a `` {% b " * 10_000],
    ids=["unclosed-liquid", "unclosed-hugo", "backticks"],
)
def test_hostile_tag_soup_ends_quickly(body):
    # Linear: before the arguments were bounded, the first of these ran for minutes.
    rendered = render_body(body)
    assert rendered.warnings == []
    assert "{" in rendered.html  # the soup stays text: none of it is a complete tag


def test_a_body_with_over_a_thousand_tags_is_refused():
    with pytest.raises(PostError, match="the body has more than 1000 engine tags"):
        render_body("{% note %}" * 1001)
