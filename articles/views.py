"""Public pages: the home page, article pages, and paginated lists of public articles.

Every list runs a fixed number of queries whatever the page size: rows come from
`for_listing()` (joins and prefetches), and per-page extras are one query each or cached.
"""

from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncDay, TruncMonth, TruncYear
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import truncatechars
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.generic import (
    ArchiveIndexView,
    DateDetailView,
    DayArchiveView,
    ListView,
    MonthArchiveView,
    YearArchiveView,
)
from taggit.models import Tag

from . import cache_version
from .mirroring.display import localize, pictures_of
from .models import Article, Author, Category, Editor, Source, category_prefixes
from .navigation import categories_and_tags, neighbours
from .page_cache import cached

TRUNCATE = {"year": TruncYear, "month": TruncMonth, "day": TruncDay}


class Period(NamedTuple):
    """One entry of an archive's date list: the period's start and its article count."""

    date: datetime
    count: int


def period_counts(articles, date_type, ordering="ASC"):
    rows = (
        articles.order_by()
        .prefetch_related(None)
        .annotate(period=TRUNCATE[date_type]("published_at"))
        .values("period")
        .annotate(count=Count("pk", distinct=True))
        .order_by("-period" if ordering == "DESC" else "period")
    )
    return [Period(row["period"], row["count"]) for row in rows]


class CategoryCounts(NamedTuple):
    """The biggest categories of one level with their public article counts, and how many
    categories with public articles that level has in all (the index page lists them)."""

    shown: list
    total: int


def public_counts(parent=None):
    key = f"category-counts:{parent.pk if parent else ''}"
    return cached(key, lambda: Category.objects.public_counts(parent))


def with_counts(paths, counts):
    """[(category, n)] for the slug paths, in their order: one query for as many as shown."""
    by_path = Category.objects.in_bulk(paths, field_name="slug_path")
    return [(by_path[path], counts[path]) for path in paths if path in by_path]


def level_counts(parent=None):
    # Bounded: one import made 2,100 roots, and a menu of 2,100 links is no menu.
    counts = public_counts(parent)
    biggest = sorted(counts, key=lambda path: (-counts[path], path))
    shown = biggest[: settings.NEWSARCHIVE_NAV_CATEGORIES]
    return CategoryCounts(with_counts(shown, counts), len(counts))


def root_categories():
    return cached("root-categories", level_counts)


def subcategory_counts(category):
    return cached(f"subcategories:{category.pk}", lambda: level_counts(category))


def changed_at(article):
    """When the article's page last changed: publication, import or an editor's edit (every
    editorial change moves edited_at, see articles.editing). The page's ETag and
    Last-Modified, feeds and the sitemap's lastmod all read it."""
    stamps = (article.published_at, article.updated_at, article.edited_at, article.imported_at)
    return max(stamp for stamp in stamps if stamp)


def breadcrumbs(categories):
    """One root-to-leaf trail per hierarchy the article is filed under.

    Articles belong to every level of their chain, so the trail is usually already in
    the prefetched categories; a missing level costs one query for all trails together.
    """
    by_path = {category.slug_path: category for category in categories}
    # As many trails as the menu has roots: an article filed under thousands of categories
    # must not make its page (and the related-articles query) as long as its list.
    leaves = Category.leaves(categories)[: settings.NEWSARCHIVE_NAV_CATEGORIES]
    wanted = {prefix for leaf in leaves for prefix in category_prefixes(leaf.slug_path)}
    if missing := wanted - by_path.keys():
        by_path.update((c.slug_path, c) for c in Category.objects.filter(slug_path__in=missing))
    return [
        [by_path[p] for p in category_prefixes(leaf.slug_path) if p in by_path] for leaf in leaves
    ]


class IdsFirst:
    """A list of articles that reads a page's ids first, then only those rows.

    The ids come from the public listing index alone; slicing the rows themselves made the
    database read every row before the page, bodies and all (page 50 of the home page: 40 ms
    on SQLite, page 50 of a large category: 100 ms).
    """

    def __init__(self, articles):
        self.articles = articles

    def count(self):
        return self.articles.count()

    def __getitem__(self, page):
        ids = list(self.articles.values_list("pk", flat=True)[page])
        rows = Article.objects.filter(pk__in=ids).for_listing().order_by().in_bulk()
        return [rows[pk] for pk in ids]


class PageSizeMixin:
    # Read per request, not at import, so tests can prove query counts at two page sizes.
    def get_paginate_by(self, queryset):
        return settings.NEWSARCHIVE_PAGE_SIZE

    def get_paginator(self, queryset, *args, **kwargs):
        paginator = super().get_paginator(IdsFirst(queryset), *args, **kwargs)
        # The count is the same on every page of a list and reads all of it: 380 ms for a
        # 5,000-article category on SQLite, asked again by each page number. Cached like the
        # other navigation counts.
        paginator.count = cached(f"count:{self.request.path}", queryset.count)
        return paginator


class ArticleDateMixin(PageSizeMixin):
    """Shared by every date-based view: public articles, newest first, numeric months."""

    date_field = "published_at"
    month_format = "%m"
    allow_empty = False

    def get_queryset(self):
        # Also used for the previous/next period lookups, which need no joins or prefetches.
        return Article.objects.published()

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        # Django's date_list, but each period carries its article count (one GROUP BY query).
        # Cached like the other navigation counts, for every page of the list: the GROUP BY
        # reads the whole period, 5,000 rows for a year took 100 ms on SQLite.
        date_type = date_type or self.get_date_list_period()
        periods = cached(
            f"periods:{self.request.path}:{date_type}:{ordering}",
            lambda: period_counts(queryset, date_type, ordering),
        )
        if not periods and not self.get_allow_empty():
            raise Http404("No articles in this period.")
        return periods


class HomeView(ArticleDateMixin, ArchiveIndexView):
    template_name = "articles/home.html"
    allow_empty = True
    context_object_name = "articles"

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        # Years over the whole archive, newest first.
        return super().get_date_list(queryset, "year", "DESC")

    def get_context_data(self, **kwargs):
        return super().get_context_data(root_categories=root_categories(), **kwargs)


class YearArchive(ArticleDateMixin, YearArchiveView):
    make_object_list = True
    template_name = "articles/archive.html"


class MonthArchive(ArticleDateMixin, MonthArchiveView):
    template_name = "articles/archive.html"


class DayArchive(ArticleDateMixin, DayArchiveView):
    template_name = "articles/archive.html"


class ArticleDetail(ArticleDateMixin, DateDetailView):
    template_name = "articles/detail.html"
    context_object_name = "article"

    def get_allow_future(self):
        return Article.can_preview(self.request.user)

    def get_queryset(self):
        # Editors preview drafts at their real URL; readers only ever see published articles.
        # Categories and tags are read in get_context_data: for one article, two prepared
        # queries (articles.navigation) cost less than prefetch_related's machinery.
        editor = Article.can_preview(self.request.user)
        articles = Article.objects.all() if editor else Article.objects.published()
        return articles.select_related("author", "editor", "source")

    def get(self, request, *args, **kwargs):
        self.object = article = self.get_object()
        # Readers can only reach public articles; an editor may be looking at a draft.
        self.is_preview = Article.can_preview(request.user) and not article.is_public
        if self.is_preview:
            response = self.render_to_response(self.get_context_data(object=article))
            # A preview must never be kept by a shared cache or shown to anyone else.
            patch_cache_control(response, private=True, no_store=True)
            return response
        # The page also shows its neighbours and the category menu, so it changes whenever
        # the content version does, not only when the article itself does.
        changed = max(filter(None, (changed_at(article), cache_version.changed_at())))
        etag = quote_etag(f"a{article.pk}-{cache_version.current()}-{get_language()}")
        response = get_conditional_response(
            request, etag=etag, last_modified=int(changed.timestamp())
        )
        if response is None:
            response = self.render_to_response(self.get_context_data(object=article))
        response.headers["ETag"] = etag
        response.headers["Last-Modified"] = http_date(changed.timestamp())
        return response

    def get_context_data(self, **kwargs):
        article = self.object
        categories, tags = categories_and_tags(article)
        trails = breadcrumbs(categories)
        lead_image = article.lead_image_url
        pictures = pictures_of([article])
        lead_picture = pictures.get(lead_image)
        share_image = lead_picture.local_url if lead_picture else lead_image
        return super().get_context_data(
            breadcrumbs=trails,
            tags=tags,
            canonical_url=self.request.build_absolute_uri(article.get_absolute_url()),
            body_html=localize(article.body_html, pictures),
            lead_picture=lead_picture,
            picture_sources=[p.url for p in pictures.values()],
            # og:image must be absolute, and the lead image may be stored as a relative path.
            share_image=self.request.build_absolute_uri(share_image) if share_image else "",
            summary=article.excerpt or truncatechars(article.body_text, 120),
            # Feeds often repeat the head image as the body's first picture.
            show_lead_image=bool(lead_image) and lead_image not in article.body_html,
            is_preview=self.is_preview,
            **neighbours(article, [t.pk for t in tags], [trail[-1].pk for trail in trails]),
            **kwargs,
        )


class FilteredArticles(PageSizeMixin, ListView):
    """A paginated list of public articles narrowed by one object (category, tag, person...)."""

    model = None
    kind = ""
    kind_label = ""
    feed_names = None
    template_name = "articles/list.html"
    context_object_name = "articles"

    def get_object(self):
        return get_object_or_404(self.public_objects(), slug=self.kwargs["slug"])

    def public_objects(self):
        # A name found only on drafts is a 404: the page would announce unpublished news.
        return self.model.objects.public()

    def filter_articles(self, articles):
        raise NotImplementedError

    def get_queryset(self):
        self.object = self.get_object()
        return self.filter_articles(Article.objects.published())

    def get_context_data(self, **kwargs):
        context = {"heading": self.object, "kind": self.kind, "kind_label": self.kind_label}
        if self.feed_names:
            lookup = self.kwargs
            context["feed_rss_url"], context["feed_atom_url"] = (
                reverse(f"articles:{name}", kwargs=lookup) for name in self.feed_names
            )
        return super().get_context_data(**context, **kwargs)


class CategoryArticles(FilteredArticles):
    model = Category
    kind = "category"
    kind_label = _("分类：")
    feed_names = ("category_feed_rss", "category_feed_atom")

    def get_object(self):
        path = self.kwargs["path"].strip("/")
        return get_object_or_404(Category.objects.public(), slug_path=path)

    def filter_articles(self, articles):
        return articles.in_category(self.object)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            breadcrumbs=[self.object.ancestors()],
            subcategories=subcategory_counts(self.object),
            **kwargs,
        )


class TagArticles(FilteredArticles):
    model = Tag
    kind = "tag"
    kind_label = _("标签：")
    feed_names = ("tag_feed_rss", "tag_feed_atom")

    def public_objects(self):
        return Article.objects.public_tags()

    def filter_articles(self, articles):
        return articles.matching(tags=self.object)


class AuthorArticles(FilteredArticles):
    model = Author
    kind = "author"
    kind_label = _("作者：")
    feed_names = ("author_feed_rss", "author_feed_atom")

    def filter_articles(self, articles):
        return articles.matching(author=self.object)


class EditorArticles(FilteredArticles):
    model = Editor
    kind = "editor"
    kind_label = _("责任编辑：")

    def filter_articles(self, articles):
        return articles.matching(editor=self.object)


class SourceArticles(FilteredArticles):
    model = Source
    kind = "source"
    kind_label = _("来源：")

    def filter_articles(self, articles):
        return articles.matching(source=self.object)


class CategoryIndex(ListView):
    """Every root category (or every child of one) that has public articles, with counts:
    where the navigation's "all categories" link leads once it shows only the biggest."""

    template_name = "articles/category_index.html"
    context_object_name = "paths"

    def get_paginate_by(self, queryset):
        return settings.NEWSARCHIVE_CATEGORY_INDEX_SIZE

    def get_queryset(self):
        self.parent = None
        if path := self.kwargs.get("path", "").strip("/"):
            self.parent = get_object_or_404(Category.objects.public(), slug_path=path)
        self.counts = public_counts(self.parent)
        return sorted(self.counts)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return {
            **context,
            "parent": self.parent,
            "breadcrumbs": [self.parent.ancestors()] if self.parent else [],
            "categories": with_counts(list(context["paths"]), self.counts),
        }


def source_link(request, name):
    """Where a blog post's link to another of its posts lands: that post, once imported."""
    articles = Article.objects.all() if request.user.is_staff else Article.objects.published()
    article = articles.from_source_name(name).first()
    if article is None:
        raise Http404
    return redirect(article)


def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    body = render_to_string("robots.txt", {"sitemap_url": sitemap})
    return HttpResponse(body, content_type="text/plain; charset=utf-8")
