import logging
import re
from urllib.parse import unquote_plus

# A query-string parameter: its name as written (maybe percent-encoded) and its value.
QUERY_PARAMETER = re.compile(r"([^?&=\s\"']+)=([^&\s\"']*)")
SECRET_NAMES = {"token", "access_token"}


def _redact_parameter(match: re.Match) -> str:
    # The consumer reads what parse_qs decodes; redact every spelling that decodes
    # to a secret's name (%74oken, TOKEN, +token ...), not only the plain one.
    name = unquote_plus(match.group(1), errors="replace").strip().lower()
    return f"{match.group(1)}=[redacted]" if name in SECRET_NAMES else match.group(0)


def redact(value: object) -> object:
    if isinstance(value, str) and "=" in value:
        return QUERY_PARAMETER.sub(_redact_parameter, value)
    return value


class RedactTokens(logging.Filter):
    """Keeps WebSocket `?token=` values out of every log line (uvicorn logs full paths)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: redact(arg) for key, arg in record.args.items()}
        return True
