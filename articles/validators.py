"""Form checks for what editors type, built on the importer's own rules (never a second copy)."""

import lxml.html
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .content.sanitizing import safe_url

REFUSED = _("图片地址只能是 http、https 或相对地址：%(url)s")


def validate_image_url(value):
    """An image URL the importer would keep: a javascript: or data: one is an error, not
    something dropped without a word when the page is drawn."""
    if value and not safe_url(value):
        raise ValidationError(REFUSED, code="image_url", params={"url": value[:200]})


def validate_body_images(html):
    """Every <img src> of a body, by the same rule; the sanitizer would remove them silently."""
    if not html or "<img" not in html.lower():
        return
    errors = []
    for element in lxml.html.fragments_fromstring(f"<div>{html}</div>")[0].iter("img"):
        try:
            validate_image_url(element.get("src", ""))
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError(errors)
