"""Old links keep working: a 404 for an address the article had on its original site
becomes a permanent redirect to the article (as django.contrib.redirects does, but the target
follows the article when its slug or date is edited)."""

from django.http import HttpResponsePermanentRedirect

from .models import OldAddress


class OldAddressRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        article = OldAddress.objects.target_for(request.path)
        # A draft or withdrawn article stays a 404: the redirect would only lead to one.
        if article is None or not article.is_public:
            return response
        return HttpResponsePermanentRedirect(article.get_absolute_url())
