"""`Idempotency-Key` for writes a client may retry (create order, add items, close, cancel)."""

import functools
import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.errors import Unprocessable
from core.models import IdempotencyKey

HEADER = "Idempotency-Key"


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def idempotent(view_method):
    """Runs the view and stores its answer under the user's key in one transaction.

    A retry with the same key and request gets the stored answer and changes
    nothing; a concurrent retry waits on the key's unique index until the first
    commits. The same key with another request is refused with 422. A request
    that fails stores nothing, so it may be retried with the same key.
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
                return Response(record.body, status=record.status_code, headers={"Idempotent-Replayed": "true"})
            response = view_method(view, request, *args, **kwargs)
            record.status_code, record.body = response.status_code, response.data
            record.save(update_fields=["status_code", "body"])
            return response

    return wrapper
