"""Pages show the local copy of a mirrored picture, with its size and srcset.

The stored body keeps the original URLs (they are the article's data, and what a re-mirror
starts from); the copy is swapped in when a page is rendered. The body went through our
sanitizer, whose serializer always writes `<img` attributes double-quoted and escaped, so a
pattern over its output is exact, and cheaper than parsing the whole body again.
"""

import html
import re

from django.utils.safestring import mark_safe

from .models import MirroredImage

IMG = re.compile(r"<img\b[^>]*>")
ATTRIBUTE = re.compile(r'\s([a-zA-Z-]+)="([^"]*)"')
REPLACED = {"src", "srcset", "sizes", "width", "height"}
BODY_SIZES = "(max-width: 720px) 100vw, 720px"


def body_urls(body_html):
    return [
        html.unescape(dict(ATTRIBUTE.findall(tag)).get("src", "")) for tag in IMG.findall(body_html)
    ]


def picture_attributes(picture, sizes=BODY_SIZES, absolute=None):
    absolute = absolute or (lambda url: url)
    attributes = {
        "src": absolute(picture.local_url),
        "width": picture.width,
        "height": picture.height,
    }
    if picture.renditions:
        attributes.update(srcset=picture.srcset_with(absolute), sizes=sizes)
    return attributes


def localize(body_html, pictures, absolute=None):
    """`body_html` with each mirrored <img> pointing at its local copy (made absolute by
    `absolute`, e.g. request.build_absolute_uri, where the page is read elsewhere: feeds)."""

    def swap(match):
        attributes = dict(ATTRIBUTE.findall(match.group(0)))
        picture = pictures.get(html.unescape(attributes.get("src", "")))
        if picture is None:
            return match.group(0)
        kept = {k: v for k, v in attributes.items() if k not in REPLACED}
        kept["data-original-src"] = attributes["src"]
        rendered = " ".join(
            f'{name}="{html.escape(str(value))}"'
            for name, value in picture_attributes(picture, absolute=absolute).items()
        )
        rest = "".join(f' {name}="{value}"' for name, value in kept.items())
        return f"<img {rendered}{rest}>"

    # The body is our sanitizer's output and every inserted value is escaped above.
    return mark_safe(IMG.sub(swap, body_html))


def pictures_of(articles):
    """{original URL: MirroredImage} for everything these articles show; one query."""
    urls = []
    for article in articles:
        urls += [*body_urls(article.body_html), article.lead_image_url, article.thumbnail_url]
    return MirroredImage.objects.for_urls(urls)


def thumbnail_pictures(articles):
    """The same for list rows, which show only the thumbnail (or the lead image)."""
    return MirroredImage.objects.for_urls(
        [article.thumbnail_url or article.lead_image_url for article in articles]
    )
