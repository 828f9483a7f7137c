import logging
import re

TOKEN_IN_QUERY = re.compile(r"((?:access_)?token=)[^&\s\"']+")


def redact(value: object) -> object:
    return TOKEN_IN_QUERY.sub(r"\1[redacted]", value) if isinstance(value, str) else value


class RedactTokens(logging.Filter):
    """Keeps WebSocket `?token=` values out of every log line (uvicorn logs full paths)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: redact(arg) for key, arg in record.args.items()}
        return True
