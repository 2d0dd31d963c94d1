from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from articles import views as article_views
from articles.page_cache import public_page
from articles.sitemaps import SITEMAPS
from newsarchive.health import healthz
from newsarchive.media import media_urls

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "sitemap.xml",
        public_page(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("robots.txt", article_views.robots_txt, name="robots_txt"),
    path("healthz", healthz, name="healthz"),
    *media_urls(),
]
# The language is in the URL (newsarchive/locale.py): Chinese unprefixed, English under /en/.
urlpatterns += i18n_patterns(
    # The language switch is CSRF-exempt on purpose: all a forged request can do is show a
    # visitor the interface in the other language, and a CSRF token on every page would make
    # each page unique per visitor, so no public page could be cached whole. set_language
    # still only accepts POST and only redirects to this site. It sits under the prefix so
    # that it reads the page it came from in that page's language: from /en/… it can only
    # resolve English URLs to translate them.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("", include("articles.urls")),
    prefix_default_language=False,
)
