"""What travels between processes: a routing header line, then the message text
every socket receives. Written and read only here."""

from typing import NamedTuple

from realtime.models import Event


def write(event: Event) -> str:
    return f"{event.company_id} {event.seq} {event.branch_id or '-'} {event.type}\n{event.message}"


class Envelope(NamedTuple):
    company_id: str
    seq: int
    branch_id: str | None
    type: str
    message: str


def parse(text: str) -> Envelope:
    header, _, message = text.partition("\n")
    company, seq, branch, type = header.split(" ")
    return Envelope(company, int(seq), None if branch == "-" else branch, type, message)


def company_of(text: str) -> str:
    """The company of an envelope, without parsing the rest."""
    return text[: text.index(" ")]
