"""Search results: the public page (a function view: the logic is real) and the admin list."""

from django import forms
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from . import search as search_index
from .models import Article, Author, Category, Source

PAGE_SIZE = 20


class DateInput(forms.DateInput):
    input_type = "date"


class SearchForm(forms.Form):
    """The query and its filters; every field optional, every bad value a form error."""

    q = forms.CharField(label=_("搜索词"), required=False)
    category = forms.ModelChoiceField(
        Category.objects.all(),
        label=_("分类"),
        to_field_name="slug_path",
        required=False,
        empty_label=_("全部分类"),
        help_text=_("包括下级分类。"),
    )
    author = forms.ModelChoiceField(
        Author.objects.all(),
        label=_("作者"),
        to_field_name="slug",
        required=False,
        empty_label=_("全部作者"),
    )
    source = forms.ModelChoiceField(
        Source.objects.all(),
        label=_("来源"),
        to_field_name="slug",
        required=False,
        empty_label=_("全部来源"),
    )
    start = forms.DateField(label=_("起始日期"), required=False, widget=DateInput)
    end = forms.DateField(label=_("截止日期"), required=False, widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per form, not at import: "public" moves with the clock, and a name found
        # only on drafts must not be offered (or accepted) as a filter.
        self.fields["category"].queryset = Category.objects.public()
        self.fields["author"].queryset = Author.objects.public()
        self.fields["source"].queryset = Source.objects.public()

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("截止日期不能早于起始日期。"))
        return data

    def filter(self, articles):
        data = self.cleaned_data
        if data["category"]:
            # As a subquery: the join and DISTINCT of in_category() would break the search's
            # "newest matches" subqueries.
            in_category = Article.objects.in_category(data["category"]).values("pk")
            articles = articles.filter(pk__in=in_category)
        if data["author"]:
            articles = articles.filter(author=data["author"])
        if data["source"]:
            articles = articles.filter(source=data["source"])
        # Dates as readers see them: in the site's time zone, both ends included.
        if data["start"]:
            articles = articles.filter(published_at__date__gte=data["start"])
        if data["end"]:
            articles = articles.filter(published_at__date__lte=data["end"])
        return articles


def search(request):
    form = SearchForm(request.GET)
    parsed = search_index.parse_query(request.GET.get("q", ""))
    page_obj = None
    if form.is_valid() and parsed.positive:
        # Filters first: they narrow the candidates the search picks (see articles.search).
        results = form.filter(Article.objects.all()).search(parsed).for_listing()
        page_obj = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
        for article in page_obj:
            article.title_html = search_index.highlight(article.title, parsed)
            article.snippet = search_index.snippet(article.body_text, parsed)
    context = {
        "form": form,
        "q": form.cleaned_data.get("q", "") if form.is_valid() else "",
        "message": parsed.message,
        "page_obj": page_obj,
        "searched": page_obj is not None,  # an empty Page is falsy in templates
        "capped": page_obj is not None and search_index.is_capped(page_obj.paginator.count),
    }
    return render(request, "articles/search.html", context)


class RankedChangeList(ChangeList):
    """The admin's article list in best-match order while searching.

    ModelAdmin.get_ordering cannot do this: the admin applies it before the search, when
    the rank does not exist yet. A click on a column header ("o") still takes over.
    """

    def get_ordering(self, request, queryset):
        if self.query.strip() and ORDER_VAR not in self.params and queryset.query.order_by:
            return list(queryset.query.order_by)
        return super().get_ordering(request, queryset)
