from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language_info

register = template.Library()


@register.simple_tag(takes_context=True)
def language_alternates(context):
    """[(hreflang, absolute URL)] of this page in every language, the default first.

    Empty where the URL has no version in another language (a 404, a page outside the
    language-prefixed URLs).
    """
    request = context.get("request")
    if request is None or getattr(request, "resolver_match", None) is None:
        return []
    path = request.get_full_path()
    urls = [translate_url(path, code) for code, _ in settings.LANGUAGES]
    if len(set(urls)) != len(urls):
        return []
    return [
        (hreflang(code), request.build_absolute_uri(url))
        for (code, _), url in zip(settings.LANGUAGES, urls, strict=True)
    ]


def hreflang(code):
    # BCP 47 as search engines read it: zh-Hans, not Django's zh-hans.
    language, _, script = code.partition("-")
    return f"{language}-{script.title()}" if script else get_language_info(code)["code"]
