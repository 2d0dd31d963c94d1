from django.shortcuts import get_object_or_404
from django.views.generic import (
    ArchiveIndexView,
    DateDetailView,
    DayArchiveView,
    ListView,
    MonthArchiveView,
    YearArchiveView,
)
from taggit.models import Tag

from .models import Article, Author, Category, Editor, Source

PAGE_SIZE = 20


class ArticleDateMixin:
    """Shared by every date-based view: public articles, newest first, numeric months."""

    date_field = "published_at"
    month_format = "%m"
    paginate_by = PAGE_SIZE
    allow_empty = False

    def get_queryset(self):
        return Article.objects.published().for_listing()


class HomeView(ArticleDateMixin, ArchiveIndexView):
    template_name = "articles/home.html"
    allow_empty = True
    context_object_name = "articles"


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

    def get_queryset(self):
        # Staff preview drafts at their real URL; readers only ever see published articles.
        staff = self.request.user.is_staff
        articles = Article.objects.all() if staff else Article.objects.published()
        return articles.select_related("author", "editor", "source").prefetch_related(
            "categories", "tags", "images"
        )


class FilteredArticles(ListView):
    """A paginated list of public articles narrowed by one object (category, tag, person...)."""

    model = None
    template_name = "articles/list.html"
    context_object_name = "articles"
    paginate_by = PAGE_SIZE

    def get_object(self):
        return get_object_or_404(self.model, slug=self.kwargs["slug"])

    def filter_articles(self, articles):
        raise NotImplementedError

    def get_queryset(self):
        self.object = self.get_object()
        return self.filter_articles(Article.objects.published().for_listing())

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=self.object, **kwargs)


class CategoryArticles(FilteredArticles):
    model = Category

    def get_object(self):
        return get_object_or_404(Category, slug_path=self.kwargs["path"].strip("/"))

    def filter_articles(self, articles):
        return articles.in_category(self.object)


class TagArticles(FilteredArticles):
    model = Tag

    def filter_articles(self, articles):
        return articles.filter(tags=self.object)


class AuthorArticles(FilteredArticles):
    model = Author

    def filter_articles(self, articles):
        return articles.filter(author=self.object)


class EditorArticles(FilteredArticles):
    model = Editor

    def filter_articles(self, articles):
        return articles.filter(editor=self.object)


class SourceArticles(FilteredArticles):
    model = Source

    def filter_articles(self, articles):
        return articles.filter(source=self.object)
