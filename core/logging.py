"""Keeps secrets out of every log line, and writes the lines as JSON in production.

uvicorn logs each request's path with its query string, and a WebSocket's token
travels in it (``?token=``). Tokens, passwords, PINs and phone numbers are redacted
from every message, its arguments and its traceback (``RedactTokens``):

- **Other secrets by name.** The value of every ``name=value`` query parameter and every
  ``name: value`` / ``"name": "value"`` pair whose name, folded as below, contains
  ``password``, ``passwd``, ``secret``, ``pin`` or ``phone`` (``customer_phone``,
  ``new_password``, ``pin_code``).
- **Phone numbers and bearer credentials by shape.** A number written internationally
  (``+`` then 8 to 20 digits, spaces, hyphens and parentheses: ``+7 (900) 123-45-67``)
  and whatever follows ``Bearer``, wherever they stand.

For tokens, two rules, so a token is redacted however a client spells where it puts it:

- **By name.** The value of every query parameter whose name, folded, contains
  ``token`` — ``token``, ``access_token``, ``token[]``, ``token.x``, ``%00token``,
  ``t%C3%B8ken`` (``tøken``), ``tоken`` with a Cyrillic ``о``, ``ТОКЕН`` (Russian). Folding undoes
  percent-encoding (repeatedly, ``+`` as a space), applies NFKC and casefolds, strips
  accents, maps each Latin letter with a stroke or hook (``ø``, ``ł``, small capitals)
  to its base letter by its Unicode name and the Greek and Cyrillic letters that look
  like those of ``token`` to them (and ``0`` to ``o``), then drops everything but ASCII
  letters and digits. A harmless parameter redacted too is a small price.
- **By shape.** Every JSON Web Token — the only tokens this server issues, three
  base64url parts starting ``eyJ`` — anywhere in a message or its arguments (a path,
  any parameter's value, percent-encoded or not), whatever it is called: no list of
  names can be complete (``?t=``, ``?auth=``).
"""

import contextvars
import json
import logging
import re
import unicodedata
from datetime import UTC, datetime
from urllib.parse import unquote_plus

# A query-string parameter: its name as written (maybe percent-encoded) and its value.
QUERY_PARAMETER = re.compile(r"([^?&=\s\"']+)=([^&\s\"']*)")
# A JWT: a base64url JSON header ('{"' is "eyJ"), a payload and a signature.
JWT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
SECRET_WORD = "token"
# Names whose values are redacted too (folded as tokens' are; docs/security.md, "Logs").
SECRET_NAMES = ("password", "passwd", "secret", "phone")
# PINs by a word of the name (``pin``, ``pin_code``, ``pinCode``): not ``shipping``.
PIN_WORDS = frozenset({"pin", "pins", "pincode"})
# A "name: value" or "name=value" pair, the name and the value maybe quoted.
KEY_VALUE = re.compile(
    r"""(["']?)([A-Za-z_][\w.-]*)\1(\s*[:=]\s*)"""  # a name, maybe quoted, then : or =
    r"""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'"""  # a quoted value
    r"""|[+(]?\d[\d ()-]*\d(?![^\s,;&}\]])"""  # digits with spaces (a phone number)
    r"""|(?>[^\s,;&}\]=:]+)(?![=:]))"""  # a bare word, unless it is the next pair's name
)
# An international phone number; a bearer credential.
PHONE = re.compile(r"(?<![\w+])\+\d(?:[\d ()-]{6,22})\d(?!\w)")
BEARER = re.compile(r"(?i)(\bbearer\s+)[^\s\"',;]+")
REDACTED = "[redacted]"
# Letters of other scripts that pass for those of "token" (Unicode's confusables).
LOOKALIKES = str.maketrans(
    {
        **dict.fromkeys("тτ", "t"),  # Cyrillic te, Greek tau
        **dict.fromkeys("оοσ0", "o"),  # Cyrillic o, Greek omicron and sigma, zero
        **dict.fromkeys("кκ", "k"),  # Cyrillic ka, Greek kappa
        **dict.fromkeys("еεє", "e"),  # Cyrillic ie, Greek epsilon, Ukrainian ie
        **dict.fromkeys("нпиην", "n"),  # Cyrillic en ("токен" is Russian for token), pe, i; Greek eta, nu
    }
)
LATIN_LETTER = re.compile(r"LATIN (?:SMALL |CAPITAL )?LETTER (?:SMALL CAPITAL )?([A-Z])\b")


def _decoded(text: str) -> str:
    """Percent-decoding until nothing changes (a double-encoded ``%2574`` too), a few times at most."""
    for _ in range(4):
        decoded = unquote_plus(text, errors="replace")
        if decoded == text:
            break
        text = decoded
    return text


def _ascii_letter(char: str) -> str:
    if char.isascii():
        return char
    if unicodedata.combining(char):
        return ""
    letter = LATIN_LETTER.match(unicodedata.name(char, ""))
    return letter.group(1).lower() if letter else char


def folded(name: str) -> str:
    """A parameter's name as compared with ``token`` (see the module's docstring)."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", _decoded(name)).casefold())
    text = "".join(_ascii_letter(char) for char in text).translate(LOOKALIKES)
    return "".join(char for char in text if char.isascii() and char.isalnum())


def _redact_parameter(match: re.Match) -> str:
    name, value = match.groups()
    if SECRET_WORD in folded(name) or JWT.search(_decoded(name)) or JWT.search(_decoded(value)):
        return f"{name}={REDACTED}"
    return match.group(0)


def _secret_name(name: str) -> bool:
    if any(word in PIN_WORDS for word in re.split(r"[^a-z0-9]+", name.lower())):
        return True
    name = folded(name)
    return SECRET_WORD in name or any(word in name for word in SECRET_NAMES)


def _redact_key_value(match: re.Match) -> str:
    quote, name, separator, value = match.groups()
    if value.startswith(REDACTED[:-1]) or not _secret_name(name):
        return match.group(0)
    if value[:1] in "\"'":
        return f"{quote}{name}{quote}{separator}{value[0]}{REDACTED}{value[0]}"
    return f"{quote}{name}{quote}{separator}{REDACTED}"


def _phone(match: re.Match) -> str:
    digits = sum(char.isdigit() for char in match.group(0))
    return REDACTED if 8 <= digits <= 20 else match.group(0)


def redact(value: object) -> object:
    if not isinstance(value, str):
        return value
    if "=" in value:
        value = QUERY_PARAMETER.sub(_redact_parameter, value)
    if "=" in value or ":" in value:
        value = KEY_VALUE.sub(_redact_key_value, value)
    if "+" in value:
        value = PHONE.sub(_phone, value)
    if "earer" in value or "EARER" in value:
        value = BEARER.sub(lambda match: match.group(1) + REDACTED, value)
    return JWT.sub(REDACTED, value)


class RedactTokens(logging.Filter):
    """Applies ``redact`` to every log record's message (with its arguments) and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            # The message as it will read: a secret may sit in the format (``token=%s``)
            # and its value in an argument.
            record.msg, record.args = redact(record.getMessage()), ()
        except (TypeError, ValueError):  # arguments that do not fit the format
            record.msg = redact(record.msg)
            if isinstance(record.args, tuple):
                record.args = tuple(redact(arg) for arg in record.args)
            elif isinstance(record.args, dict):
                record.args = {key: redact(arg) for key, arg in record.args.items()}
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text once set: the traceback is written redacted.
            record.exc_text = str(redact(logging.Formatter().formatException(record.exc_info)))
        return True


# The request being answered (``core.requestlog``), for every line logged meanwhile.
REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
# Fields of a request's line (``core.requestlog``) that the JSON lines carry when set.
REQUEST_FIELDS = ("method", "route", "status", "duration_ms", "user_id", "company_id")


class RequestContext(logging.Filter):
    """Stamps each record with the id of the request being answered, if any."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ``time`` (UTC, ISO 8601), ``level``, ``logger``,
    ``message``, ``request_id`` when a request is being answered, a request line's
    fields (``REQUEST_FIELDS``) and ``exception`` (the traceback) when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            line["request_id"] = request_id
        for field in REQUEST_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                line[field] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = str(redact(self.formatException(record.exc_info)))
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)
