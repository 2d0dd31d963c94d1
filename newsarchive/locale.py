"""The language of a public page is in its URL; the admin's follows the editor.

Public pages live under i18n_patterns (Chinese unprefixed, English under /en/), so a cached
page, a shared link and a crawler all get the language the URL names, and nothing varies on
the visitor's headers: the `Vary: Accept-Language` Django adds to unprefixed URLs would only
split shared caches for a header that selects nothing. The admin is never cached and has no
language in its URLs, so there Django's usual choice (language cookie, then the browser's
Accept-Language) stays.
"""

from functools import lru_cache

from django.middleware import locale
from django.urls import reverse
from django.utils import translation
from django.utils.cache import cc_delim_re


@lru_cache
def admin_prefix():
    return reverse("admin:index")


def follows_visitor(request):
    return request.path_info.startswith(admin_prefix())


class LocaleMiddleware(locale.LocaleMiddleware):
    def process_request(self, request):
        super().process_request(request)
        if follows_visitor(request):
            translation.activate(translation.get_language_from_request(request))
            request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        if follows_visitor(request):
            return super().process_response(request, response)
        vary = response.get("Vary")
        response = super().process_response(request, response)
        kept = [h for h in cc_delim_re.split(response.get("Vary", "")) if h]
        if "accept-language" not in (vary or "").lower():
            kept = [h for h in kept if h.lower() != "accept-language"]
        if kept:
            response["Vary"] = ", ".join(kept)
        elif "Vary" in response:
            del response["Vary"]
        return response
