from django.urls import path, register_converter

from . import converters, feeds, search_views, views
from .page_cache import public_page

register_converter(converters.FourDigitYear, "yyyy")
register_converter(converters.TwoDigit, "mm")

app_name = "articles"


def cached_feed(feed_class):
    # Feeds hold no per-user data, so whole responses are cached like pages, on the content
    # version; ConditionalGetMiddleware answers revalidations with 304.
    return public_page(feed_class())


urlpatterns = [
    path("", public_page(views.HomeView.as_view()), name="home"),
    path("<yyyy:year>/", public_page(views.YearArchive.as_view()), name="archive_year"),
    path(
        "<yyyy:year>/<mm:month>/", public_page(views.MonthArchive.as_view()), name="archive_month"
    ),
    path(
        "<yyyy:year>/<mm:month>/<mm:day>/",
        public_page(views.DayArchive.as_view()),
        name="archive_day",
    ),
    # <str:> not <slug:>: slugs keep Chinese characters and <slug:> is ASCII-only.
    path(
        "<yyyy:year>/<mm:month>/<mm:day>/<str:slug>/",
        public_page(views.ArticleDetail.as_view()),
        name="detail",
    ),
    path("category/<path:path>/", public_page(views.CategoryArticles.as_view()), name="category"),
    path("categories/", public_page(views.CategoryIndex.as_view()), name="categories"),
    path(
        "categories/<path:path>/",
        public_page(views.CategoryIndex.as_view()),
        name="subcategories",
    ),
    path("tag/<str:slug>/", public_page(views.TagArticles.as_view()), name="tag"),
    path("author/<str:slug>/", public_page(views.AuthorArticles.as_view()), name="author"),
    path("editor/<str:slug>/", public_page(views.EditorArticles.as_view()), name="editor"),
    path("source/<str:slug>/", public_page(views.SourceArticles.as_view()), name="source"),
    path("search/", search_views.search, name="search"),
    # Links between the posts of an imported blog (engine_tags.SOURCE_LINK writes them).
    path("link/<path:name>/", views.source_link, name="source_link"),
    # Feeds live under feeds/ so a category slug can never collide with "rss.xml".
    path("feeds/rss.xml", cached_feed(feeds.SiteRss), name="feed_rss"),
    path("feeds/atom.xml", cached_feed(feeds.SiteAtom), name="feed_atom"),
    path(
        "feeds/category/<path:path>/rss.xml",
        cached_feed(feeds.CategoryRss),
        name="category_feed_rss",
    ),
    path(
        "feeds/category/<path:path>/atom.xml",
        cached_feed(feeds.CategoryAtom),
        name="category_feed_atom",
    ),
    path("feeds/tag/<str:slug>/rss.xml", cached_feed(feeds.TagRss), name="tag_feed_rss"),
    path("feeds/tag/<str:slug>/atom.xml", cached_feed(feeds.TagAtom), name="tag_feed_atom"),
    path("feeds/author/<str:slug>/rss.xml", cached_feed(feeds.AuthorRss), name="author_feed_rss"),
    path(
        "feeds/author/<str:slug>/atom.xml",
        cached_feed(feeds.AuthorAtom),
        name="author_feed_atom",
    ),
]
