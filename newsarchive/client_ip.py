"""The client's address for django-axes: the proxy's header counts only if a proxy sent it.

Behind nginx every request comes from 127.0.0.1, so keyed on REMOTE_ADDR the lockout treats
all readers as one client and five wrong passwords from anyone lock the real editor out. Yet
X-Forwarded-For is whatever the client wrote unless a proxy we run set it. So the chain is
read as the proxies built it, right to left: X-Forwarded-For, then REMOTE_ADDR as its last
hop; when the last hops are the trusted proxies (NEWSARCHIVE_TRUSTED_PROXIES, outermost
first), the address just before them is the client. python-ipware does the parsing and the
matching (CIDR, exact address, or prefix); anything else is the direct peer, REMOTE_ADDR.
"""

from functools import lru_cache

from django.conf import settings
from python_ipware import IpWare

CHAIN = "CHAIN"


@lru_cache
def resolver(trusted):
    return IpWare(precedence=(CHAIN,), proxy_list=list(trusted))


def client_ip(request):
    peer = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    trusted = tuple(settings.NEWSARCHIVE_TRUSTED_PROXIES)
    if not (trusted and forwarded):
        return peer
    address, verified = resolver(trusted).get_client_ip({CHAIN: f"{forwarded}, {peer}"})
    return str(address) if address is not None and verified else peer
