"""sitemap.xml: every public article and the list pages that lead to them."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Article, Author, Category, Editor, Source
from .views import changed_at, period_counts


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        # Only what lastmod and get_absolute_url read: the sitemap walks the whole archive.
        return (
            Article.objects.published()
            .only("slug", "published_at", "updated_at", "edited_at", "imported_at")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, article):
        return changed_at(article)


class HomeSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["articles:home"]

    def location(self, name):
        return reverse(name)


class ArchiveSitemap(Sitemap):
    """Year and month archives, the date-ordered way into the archive (days would be many
    thin pages, and every day is linked from its month)."""

    changefreq = "monthly"
    priority = 0.4

    def items(self):
        months = [period.date for period in period_counts(Article.objects.published(), "month")]
        years = sorted({month.replace(month=1) for month in months})
        return [("year", year) for year in years] + [("month", month) for month in months]

    def location(self, item):
        name, date = item
        kwargs = {"year": date.year} if name == "year" else {"year": date.year, "month": date.month}
        return reverse(f"articles:archive_{name}", kwargs=kwargs)


class ListSitemap(Sitemap):
    """List pages with at least one public article: a name found only on drafts is a 404."""

    changefreq = "weekly"
    priority = 0.5
    model = None

    def items(self):
        return self.model.objects.public().order_by("pk")


class CategorySitemap(ListSitemap):
    model = Category


class AuthorSitemap(ListSitemap):
    model = Author


class EditorSitemap(ListSitemap):
    model = Editor


class SourceSitemap(ListSitemap):
    model = Source


class TagSitemap(ListSitemap):
    def items(self):
        return Article.objects.public_tags().order_by("pk")

    def location(self, tag):
        return reverse("articles:tag", kwargs={"slug": tag.slug})


SITEMAPS = {
    "home": HomeSitemap,
    "articles": ArticleSitemap,
    "archives": ArchiveSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "editors": EditorSitemap,
    "sources": SourceSitemap,
}
