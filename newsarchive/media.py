"""Media files (mirrored pictures) from Django, where no web server serves MEDIA_ROOT.

In production nginx serves /media/ from disk (deploy/nginx); this is for `make run` and a
plain `make serve` trial. Names carry the picture's content hash, so a copy never changes and
browsers may keep it for a year.
"""

from django.conf import settings
from django.urls import re_path
from django.utils.cache import patch_cache_control
from django.views.static import serve

ONE_YEAR = 365 * 24 * 3600


def serve_media(request, path):
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    patch_cache_control(response, public=True, max_age=ONE_YEAR, immutable=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def media_urls():
    if not settings.NEWSARCHIVE_SERVE_MEDIA:
        return []
    prefix = settings.MEDIA_URL.lstrip("/")
    return [re_path(rf"^{prefix}(?P<path>.+)$", serve_media, name="media")]
