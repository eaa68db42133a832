"""A request id on every log line, carried into the Celery tasks the request enqueues.

`RequestIdMiddleware` takes the proxy's `X-Request-ID` when it is a plain token (letters, digits,
`-_.`, at most 64) or makes one, answers it in `X-Request-ID` and keeps it in a context variable
for the request. `RequestIdFilter` puts it on every record (`request_id`, «-» outside a request).
A task published meanwhile carries it in a message header and the worker sets it around the task.
Log lines name ids, never personal data: nothing of the request (path, query, body) is added here.
"""

import contextvars
import re
import uuid

from celery import signals
from django.core.signals import request_finished
from django.dispatch import receiver

REQUEST_ID = contextvars.ContextVar("portal_request_id", default=None)
HEADER = "portal_request_id"
ACCEPTED = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def current() -> str | None:
    return REQUEST_ID.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if ACCEPTED.match(offered) else uuid.uuid4().hex
        request.request_id = request_id
        # Kept until the response is finished (`_forget`), not only until this returns: Django
        # logs a 4xx or 5xx answer after the middleware has run.
        REQUEST_ID.set(request_id)
        response = self.get_response(request)
        response.headers["X-Request-ID"] = request_id
        return response


@receiver(request_finished)
def _forget(**kwargs):
    REQUEST_ID.set(None)


class RequestIdFilter:
    """Adds `request_id` to every record (a filter on the handlers, so third-party loggers too)."""

    def filter(self, record) -> bool:
        record.request_id = REQUEST_ID.get() or "-"
        return True


@signals.before_task_publish.connect
def _carry(headers=None, **kwargs):
    request_id = REQUEST_ID.get()
    if request_id and headers is not None:
        headers[HEADER] = request_id


_tokens: dict[str, contextvars.Token] = {}


@signals.task_prerun.connect
def _adopt(task_id=None, task=None, **kwargs):
    request_id = getattr(task.request, HEADER, None) if task is not None else None
    if request_id and ACCEPTED.match(str(request_id)):
        _tokens[task_id] = REQUEST_ID.set(str(request_id))


@signals.task_postrun.connect
def _drop(task_id=None, **kwargs):
    token = _tokens.pop(task_id, None)
    if token is not None:
        REQUEST_ID.reset(token)
