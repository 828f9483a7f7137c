"""``core.logging.RedactTokens`` on log records (the real server's log:
``realtime/tests/e2e/test_log_redaction.py``)."""

import io
import logging

import pytest

from core.logging import RedactTokens, folded, redact

TOKEN_NAMES = ["token", "%74oken", "token[]", "token.x", "%00token", "t%C3%B8ken", "tøken", "ТОКЕН", "ᴛᴏᴋᴇɴ"]
TOKEN_NAMES += ["ｔｏｋｅｎ", "%2574oken"]
JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoiMSJ9.c2lnbmF0dXJlX29mX3RoZV90b2tlbg"


@pytest.mark.parametrize("name", TOKEN_NAMES)
def test_names_that_fold_to_token(name):
    assert "token" in folded(name)
    assert redact(f"/ws/?{name}=secret&since=0") == f"/ws/?{name}=[redacted]&since=0"


@pytest.mark.parametrize("name", ["since", "branch_id", "lang", "station", "limit", "offset", "format", "date"])
def test_the_servers_other_parameters_are_kept(name):
    assert redact(f"/ws/?{name}=42&x=1") == f"/ws/?{name}=42&x=1"


def test_a_jwt_is_redacted_wherever_it_is():
    assert redact(f"/ws/?auth={JWT}&since=0") == "/ws/?auth=[redacted]&since=0"
    assert redact(f"/ws/?auth=%65{JWT[1:]}") == "/ws/?auth=[redacted]"
    assert redact(f"/ws/?{JWT}=1") == "/ws/?[redacted]=[redacted]"
    assert redact(f"GET /api/{JWT}/ 404") == "GET /api/[redacted]/ 404"


def test_a_traceback_is_written_redacted():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactTokens())
    logger = logging.getLogger("core.tests.redaction")
    logger.addHandler(handler)
    try:
        raise ValueError(f"bad path /ws/?token={JWT}")
    except ValueError:
        logger.exception("failed %s", f"/ws/?t={JWT}")
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "failed /ws/?t=[redacted]" in written
    assert "ValueError: bad path /ws/?token=[redacted]" in written
    assert JWT.split(".")[1] not in written
    assert JWT.split(".")[2] not in written
