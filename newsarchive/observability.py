"""Request ids and one-line log records, so an operator can grep one failing request.

nginx (deploy/nginx/newsarchive.conf) passes its `$request_id` as X-Request-ID; without a proxy
one is made here. The id goes back in the response header and into every log record written
while the request runs, so a reader's "request id 3f2a..." finds the traceback.
"""

import logging
import re
import uuid
from contextvars import ContextVar

from django.core.signals import request_finished
from django.dispatch import receiver

REQUEST_ID_HEADER = "X-Request-ID"
# Only short tokens of safe characters are taken from the client side: the id is written into
# log lines, and a newline in it would forge a log record.
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_current_request_id = ContextVar("request_id", default="-")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if _ACCEPTED_ID.fullmatch(given) else uuid.uuid4().hex
        request.request_id = request_id
        # Kept until the response is closed, not just until this returns: Django logs 4xx
        # and 5xx responses after the middleware has run.
        _current_request_id.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


@receiver(request_finished)
def _forget_request_id(**kwargs):
    _current_request_id.set("-")


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = _current_request_id.get()
        return True


class OneLineFormatter(logging.Formatter):
    """A traceback folded onto its record's line: one error, one line, whatever the log
    collector (journald, a file, docker) does with newlines."""

    def format(self, record):
        return super().format(record).replace("\r", "").replace("\n", " | ")
