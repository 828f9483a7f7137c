"""Keeps tokens out of every log line: uvicorn logs each request's path with its query
string, and a WebSocket's token travels in it (``?token=``).

Two rules, so a token is redacted however a client spells where it puts it:

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

import logging
import re
import unicodedata
from urllib.parse import unquote_plus

# A query-string parameter: its name as written (maybe percent-encoded) and its value.
QUERY_PARAMETER = re.compile(r"([^?&=\s\"']+)=([^&\s\"']*)")
# A JWT: a base64url JSON header ('{"' is "eyJ"), a payload and a signature.
JWT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
SECRET_WORD = "token"
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


def redact(value: object) -> object:
    if not isinstance(value, str):
        return value
    if "=" in value:
        value = QUERY_PARAMETER.sub(_redact_parameter, value)
    return JWT.sub(REDACTED, value)


class RedactTokens(logging.Filter):
    """Applies ``redact`` to every log record's message, arguments and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: redact(arg) for key, arg in record.args.items()}
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text once set: the traceback is written redacted.
            record.exc_text = str(redact(logging.Formatter().formatException(record.exc_info)))
        return True
