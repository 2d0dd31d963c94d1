from django import template
from django.conf import settings

from articles.models import Category

register = template.Library()


@register.simple_tag
def page_links(page_obj, on_each_side=2, on_ends=1):
    """Page numbers with ellipses, so a 500-page category does not print 500 links.

    Works with any Page, so the search results page can use the same pagination include.
    """
    return list(
        page_obj.paginator.get_elided_page_range(
            page_obj.number, on_each_side=on_each_side, on_ends=on_ends
        )
    )


@register.filter
def leaf_categories(categories):
    """The deepest category of each chain an article is filed under, as many as the menu
    shows roots.

    Articles belong to every level of their chain (金融 > 新浪财经 > 国内); a row shows only
    the most specific one. Works on the prefetched list: no query.
    """
    return Category.leaves(categories)[: settings.NEWSARCHIVE_NAV_CATEGORIES]
