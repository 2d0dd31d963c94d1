"""Content-Security-Policy: the public site's strict policy, loosened for the admin's styles.

The public pages render HTML that came from the open web; the sanitizer is the real defence
and this header is the last line behind it, so their policy allows no inline script or style
at all. The admin keeps the no-inline-script rule (a nonce is added when a page asks for one,
e.g. a rich-text editor's import map) but allows inline styles: Django admin widgets, our own
indented category labels and rich-text editors set style attributes, and only logged-in staff
see those pages.
"""

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.urls import reverse


class SitePolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if request.path_info.startswith(reverse("admin:index")):
            parts.update = {**(parts.update or {}), "style-src": [UNSAFE_INLINE]}
        return parts
