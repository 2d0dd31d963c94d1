"""Whole public pages, feeds and the sitemap, cached for readers on the content version.

The key holds the content version (articles.cache_version), the language and the absolute
URL, so any write makes every worker and every machine render afresh on its next request,
and nothing needs deleting. Browsers are told to revalidate every time (max-age=0): their
copy is answered with a 304 from ConditionalGetMiddleware's ETag while nothing changed, and
with the new page as soon as something did.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language

from . import cache_version


def cached(key, compute, timeout=None):
    """Navigation aggregates (counts, neighbours): scans over the whole archive that every
    page would repeat, kept until the content changes (or `timeout` passes: a scheduled
    article becomes public without any write)."""
    timeout = settings.NEWSARCHIVE_NAV_CACHE_SECONDS if timeout is None else timeout
    return cache.get_or_set(f"nav:{cache_version.current()}:{key}", compute, timeout)


def page_key(request):
    url = request.build_absolute_uri().encode()
    digest = hashlib.md5(url, usedforsecurity=False).hexdigest()
    return f"page:{cache_version.current()}:{get_language()}:{digest}"


def is_cacheable(response):
    """A whole 200 response with nothing per visitor in it (no cookie, not private)."""
    control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in control
        and "no-store" not in control
    )


def public_page(view):
    """Serve `view` from the page cache to visitors without a session.

    Safe because public pages carry nothing per visitor: no CSRF token (the language switch
    is exempt, see newsarchive/urls.py), no user name. Signed-in staff skip the cache, so
    previews and their own edits are always fresh.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        timeout = settings.NEWSARCHIVE_PAGE_CACHE_SECONDS
        reader = settings.SESSION_COOKIE_NAME not in request.COOKIES
        if not (timeout and reader and request.method in ("GET", "HEAD")):
            return revalidate(view(request, *args, **kwargs), reader)
        key = page_key(request)
        response = cache.get(key)
        if response is not None:
            return response
        response = revalidate(view(request, *args, **kwargs), reader)
        if request.method == "GET" and is_cacheable(response):
            if callable(getattr(response, "render", None)):
                response.add_post_render_callback(lambda done: cache.set(key, done, timeout))
            else:
                cache.set(key, response, timeout)
        return response

    return wrapper


def revalidate(response, reader):
    """Browsers and proxies may keep the page but must ask again before showing it."""
    if "no-store" not in response.get("Cache-Control", ""):
        patch_cache_control(response, max_age=0, must_revalidate=True)
        patch_cache_control(response, **({"public": True} if reader else {"private": True}))
    return response
