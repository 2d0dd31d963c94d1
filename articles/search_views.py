"""Search results: the public page (a function view: the logic is real) and the admin list."""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from . import search as search_index
from .models import Article, Author, Category, FiledUnder, Source
from .search.facets import cached_facets

PAGE_SIZE = 20


class DateInput(forms.DateInput):
    """A date picker whose value is always yyyy-mm-dd, what <input type="date"> requires."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class SearchForm(forms.Form):
    """The query and its filters; every field optional, every bad value a form error."""

    q = forms.CharField(label=_("搜索词"), required=False)
    order = forms.ChoiceField(
        label=_("排序"),
        choices=[(search_index.NEWEST, _("最新发布")), (search_index.BEST, _("最相关"))],
        required=False,
    )
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
    start = forms.DateField(
        label=_("起始日期"), required=False, widget=DateInput, input_formats=["%Y-%m-%d"]
    )
    end = forms.DateField(
        label=_("截止日期"), required=False, widget=DateInput, input_formats=["%Y-%m-%d"]
    )

    def __init__(self, *args, **kwargs):
        # Chinese labels end in a full-width colon; the English catalogue gives ":".
        kwargs.setdefault("label_suffix", _("："))
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
            articles = articles.filter(FiledUnder(data["category"]))
        if data["author"]:
            articles = articles.filter(author=data["author"])
        if data["source"]:
            articles = articles.filter(source=data["source"])
        # Dates as readers see them: in the site's time zone, both ends included. As a range
        # of times, not __date: SQLite would call a Python function for every match.
        if data["start"]:
            articles = articles.filter(published_at__gte=_midnight(data["start"]))
        if data["end"]:
            articles = articles.filter(published_at__lt=_midnight(data["end"] + timedelta(days=1)))
        return articles


def _midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


class SearchPaginator(Paginator):
    """Counts up to MAX_COUNT + 1 only; past MAX_COUNT ("10,000+") the pages go on for as long
    as there are matches, so every match can still be reached."""

    @cached_property
    def count(self):
        return self.object_list.count_up_to(search_index.MAX_COUNT + 1)

    @property
    def capped(self):
        return self.count > search_index.MAX_COUNT

    def validate_number(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(_("That page number is not an integer")) from error
        if number < 1 or (number > self.num_pages and not self.capped):
            raise EmptyPage(_("That page contains no results"))
        return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if not self.capped:
            return super().page(number)
        # One row more than a page tells whether there is a next one.
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(_("That page contains no results"))
        page = self._get_page(rows[: self.per_page], number, self)
        page.more = len(rows) > self.per_page
        return page


def _page(paginator, number):
    try:
        page = paginator.page(number or 1)
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404(str(error)) from error
    if not paginator.capped:
        page.more = page.has_next()
    return page


def _categories_once(article):
    """The article's categories, each name once, in their path order."""
    seen, unique = set(), []
    for category in sorted(article.categories.all(), key=lambda category: category.path):
        if category.name not in seen:
            seen.add(category.name)
            unique.append(category)
    return unique


def search(request):
    form = SearchForm(request.GET)
    parsed = search_index.parse_query(request.GET.get("q", ""))
    page_obj, facet_counts = None, None
    if form.is_valid() and parsed.positive:
        order = form.cleaned_data["order"] or search_index.NEWEST
        results = form.filter(Article.objects.all()).search(parsed, order=order).for_listing()
        page_obj = _page(SearchPaginator(results, PAGE_SIZE), request.GET.get("page"))
        for article in page_obj:
            article.title_html = search_index.highlight(article.title, parsed)
            article.snippet = search_index.snippet(article.body_text, parsed)
            article.category_list = _categories_once(article)
        filters = sorted((name, str(value)) for name, value in form.cleaned_data.items() if value)
        facet_counts = dict(cached_facets(results, repr((parsed.key(), filters))))
        facet_counts["year"] = [
            (year, n, f"{year:04d}-01-01", f"{year:04d}-12-31") for year, n in facet_counts["year"]
        ]
    context = {
        "form": form,
        "q": form.cleaned_data.get("q", "") if form.is_valid() else "",
        "message": parsed.message,
        "page_obj": page_obj,
        "searched": page_obj is not None,  # an empty Page is falsy in templates
        "capped": page_obj is not None and page_obj.paginator.capped,
        "max_count": search_index.MAX_COUNT,
        "facets": facet_counts,
    }
    return render(request, "articles/search.html", context)


class RankedChangeList(ChangeList):
    """The admin's article list in the search's order while searching.

    ModelAdmin.get_ordering cannot do this: the admin applies it before the search, when
    the search's order does not exist yet. A click on a column header ("o") still takes over.
    """

    def get_ordering(self, request, queryset):
        if self.query.strip() and ORDER_VAR not in self.params and queryset.query.order_by:
            return list(queryset.query.order_by)
        return super().get_ordering(request, queryset)
