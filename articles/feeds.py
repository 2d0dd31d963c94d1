"""RSS and Atom feeds for the whole site, a category, a tag and an author.

Items carry the full sanitized body (body_html) as content, and a short plain-text summary.
"""

from contextvars import ContextVar

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import truncatechars
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from .mirroring.display import localize, pictures_of
from .models import Article, Author, Category
from .views import changed_at

_feed_request = ContextVar("feed_request", default=None)

SUMMARY_CHARS = 200


class ContentRssFeed(Rss201rev2Feed):
    """RSS 2.0 with the full body in content:encoded; <description> stays the short summary."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content"])


class ContentAtomFeed(Atom1Feed):
    """Atom with the full body in <content type="html"> next to Django's <summary>."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content"], {"type": "html"})


class ArticleFeed(Feed):
    """The whole site's latest public articles."""

    feed_type = ContentRssFeed
    title = _("新闻档案")
    description = _("新闻档案的最新文章")
    link = reverse_lazy("articles:home")

    url_name = "feed_rss"

    def feed_url(self, obj=None):
        return reverse("articles:" + self.url_name, kwargs=self.url_kwargs(obj))

    def url_kwargs(self, obj):
        return {}

    def articles(self, obj):
        return Article.objects.published()

    def __call__(self, request, *args, **kwargs):
        # Feed readers fetch pictures from elsewhere: local copies need absolute URLs.
        token = _feed_request.set(request)
        try:
            return super().__call__(request, *args, **kwargs)
        finally:
            _feed_request.reset(token)

    def items(self, obj=None):
        items = list(
            self.articles(obj)
            .select_related("author")
            .prefetch_related("categories", "tags")
            .order_by("-published_at", "-pk")[: settings.NEWSARCHIVE_FEED_SIZE]
        )
        pictures = pictures_of(items)
        for item in items:
            item.pictures = pictures
        return items

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # RSS <description> and Atom <summary type="html"> are read as HTML by feed readers:
        # the plain-text summary is escaped, or a '<script>' quoted in an article runs there.
        return escape(item.excerpt or truncatechars(item.body_text, SUMMARY_CHARS))

    def item_extra_kwargs(self, item):
        # body_html was sanitized by the importer's nh3 allowlist before it was stored.
        request = _feed_request.get()
        absolute = request.build_absolute_uri if request else None
        return {"content": localize(item.body_html, item.pictures, absolute)}

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        # The same clock as the article page's Last-Modified: an editor's edit or a re-import
        # changes the item, so it must move the feed's Last-Modified too, or a reader sending
        # If-Modified-Since keeps getting 304 for a feed whose content changed.
        return changed_at(item)

    def item_author_name(self, item):
        return item.author.name if item.author else None

    def item_categories(self, item):
        return [c.name for c in item.categories.all()] + [t.name for t in item.tags.all()]


class AtomMixin:
    feed_type = ContentAtomFeed

    def subtitle(self, obj=None):
        return self.description(obj) if callable(self.description) else self.description


class SiteRss(ArticleFeed):
    pass


class SiteAtom(AtomMixin, ArticleFeed):
    url_name = "feed_atom"


class CategoryRss(ArticleFeed):
    url_name = "category_feed_rss"

    def get_object(self, request, path):
        return get_object_or_404(Category.objects.public(), slug_path=path.strip("/"))

    def url_kwargs(self, obj):
        return {"path": obj.slug_path}

    def articles(self, obj):
        return Article.objects.published().in_category(obj)

    def title(self, obj):
        return _("新闻档案 · %(name)s") % {"name": obj.path}

    def description(self, obj):
        return _("分类“%(name)s”的最新文章") % {"name": obj.path}

    def link(self, obj):
        return obj.get_absolute_url()


class CategoryAtom(AtomMixin, CategoryRss):
    url_name = "category_feed_atom"


class TagRss(ArticleFeed):
    url_name = "tag_feed_rss"

    def get_object(self, request, slug):
        return get_object_or_404(Article.objects.public_tags(), slug=slug)

    def url_kwargs(self, obj):
        return {"slug": obj.slug}

    def articles(self, obj):
        return Article.objects.published().matching(tags=obj)

    def title(self, obj):
        return _("新闻档案 · 标签：%(name)s") % {"name": obj.name}

    def description(self, obj):
        return _("标签“%(name)s”的最新文章") % {"name": obj.name}

    def link(self, obj):
        return reverse("articles:tag", kwargs={"slug": obj.slug})


class TagAtom(AtomMixin, TagRss):
    url_name = "tag_feed_atom"


class AuthorRss(ArticleFeed):
    url_name = "author_feed_rss"

    def get_object(self, request, slug):
        return get_object_or_404(Author.objects.public(), slug=slug)

    def url_kwargs(self, obj):
        return {"slug": obj.slug}

    def articles(self, obj):
        return Article.objects.published().matching(author=obj)

    def title(self, obj):
        return _("新闻档案 · 作者：%(name)s") % {"name": obj.name}

    def description(self, obj):
        return _("作者“%(name)s”的最新文章") % {"name": obj.name}

    def link(self, obj):
        return obj.get_absolute_url()


class AuthorAtom(AtomMixin, AuthorRss):
    url_name = "author_feed_atom"
