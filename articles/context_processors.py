from django.utils.functional import SimpleLazyObject

from .views import root_categories


def site(request):
    # Lazy: only pages that draw the header menu pay for it (the 500 page, feeds never do),
    # and the counts behind it are cached by root_categories().
    return {"nav_categories": SimpleLazyObject(root_categories)}
