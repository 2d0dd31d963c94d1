"""Local copies of mirrored pictures in list rows: one query for the whole page."""

from django import template

from articles.mirroring.display import thumbnail_pictures

register = template.Library()


@register.simple_tag
def row_pictures(articles):
    return thumbnail_pictures(articles)


@register.simple_tag
def row_thumbnail(pictures, url, width=320):
    """(src, srcset) of the picture a row shows: its smallest copy at least `width` wide."""
    picture = (pictures or {}).get(url)
    if picture is None:
        return {"src": url, "mirrored": False}
    return {
        "src": picture.rendition_url(width),
        "srcset": f"{picture.rendition_url(width)} 1x, {picture.rendition_url(width * 2)} 2x",
        "mirrored": True,
    }
