"""`Idempotency-Key` for writes a client may retry (create order, add items, close, cancel)."""

import functools
import hashlib
import json
import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.errors import Unprocessable
from core.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED = {"Idempotent-Replayed": "true"}
ANSWER_DROPPED = gettext_noop(
    "This request was already carried out; its answer is no longer kept. Read the current state instead of retrying it."
)
# pg_advisory_xact_lock's first key: this module's lock space ("IDEM").
_LOCK_SPACE = 0x4944454D


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def idempotent(view_method):
    """Runs the view and stores its answer under the user's key in one transaction.

    A retry with the same key and request gets the stored answer and changes
    nothing; a concurrent retry waits on the key's unique index until the first
    commits. The same key with another request is refused with 422. A request
    that fails stores nothing, so it may be retried with the same key. A retry
    whose answer was dropped (``_keep``) is a 409 and changes nothing either.
    """

    @functools.wraps(view_method)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view_method(view, request, *args, **kwargs)
        if not 1 <= len(key) <= 255:
            raise ValidationError({HEADER: [_("Use between 1 and 255 characters.")]})
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyKey.objects.create(
                        user=request.user, key=key, fingerprint=fingerprint, status_code=0, body={}
                    )
            except IntegrityError:
                record = IdempotencyKey.objects.get(user=request.user, key=key)
                if record.fingerprint != fingerprint:
                    raise Unprocessable(
                        _("This %(header)s was already used for a different request.") % {"header": HEADER}
                    ) from None
                if record.body_bytes is None:
                    return Response({"detail": _(ANSWER_DROPPED)}, status=status.HTTP_409_CONFLICT, headers=REPLAYED)
                body = None if record.status_code == status.HTTP_204_NO_CONTENT else record.body
                return Response(body, status=record.status_code, headers=REPLAYED)
            response = view_method(view, request, *args, **kwargs)
            _keep(record, response.status_code, response.data)
            return response

    return wrapper


def _keep(record: IdempotencyKey, status_code: int, body) -> None:
    """Stores the answer, keeping the user's stored answers within
    ``IDEMPOTENCY_USER_BYTES``: the bodies of their oldest are dropped (key and
    fingerprint stay, so a retry is still recognised) until this one fits; an answer
    larger than the whole allowance is not kept at all. Runs in the request's
    transaction, after the view."""
    if body is None:  # 204 No Content
        body = {}
    size = len(json.dumps(body, cls=DjangoJSONEncoder).encode())
    allowance = settings.IDEMPOTENCY_USER_BYTES
    record.status_code = status_code
    if size > allowance:
        record.body, record.body_bytes = {}, None
    else:
        _take_turn(record.user_id)
        others = IdempotencyKey.objects.filter(user_id=record.user_id, body_bytes__gt=0).exclude(pk=record.pk)
        excess = (others.aggregate(total=Sum("body_bytes"))["total"] or 0) + size - allowance
        if excess > 0:
            dropped: list[int] = []
            for pk, kept in others.order_by("created_at", "pk").values_list("pk", "body_bytes"):
                dropped.append(pk)
                excess -= kept
                if excess <= 0:
                    break
            IdempotencyKey.objects.filter(pk__in=dropped).update(body={}, body_bytes=None)
        record.body, record.body_bytes = body, size
    record.save(update_fields=["status_code", "body", "body_bytes"])


def _take_turn(user_id: uuid.UUID) -> None:
    """One user's answers are summed and stored one request at a time, so two at once
    cannot both fit under the allowance. Today every keyed write also emits, and
    emitting holds the company's row until commit, which serialises them already; this
    keeps the bound for a write that emits nothing. PostgreSQL: a transaction-level
    advisory lock per user (not the user's row, which the new record's foreign key
    share-locks); SQLite: the record's insert already holds the database's write lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_SPACE, int.from_bytes(user_id.bytes[:4], signed=True)]
            )
