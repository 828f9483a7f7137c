"""The real-time path's Prometheus metrics (read at ``/metrics``; docs/deploy.md,
"Metrics"): sockets, events written, published and delivered, the delivery lag, and
what the hub and the sockets do to catch up."""

import time
from datetime import datetime

from prometheus_client import Counter, Gauge, Histogram

# Seconds from an event's commit to the hub handing it to its sockets' writes.
LAG_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

SOCKETS_OPEN = Gauge(
    "cafe_websockets_open",
    "WebSockets joined to the hub, by stream (summed over live server processes).",
    ["stream"],
    multiprocess_mode="livesum",
)
SOCKETS_OPENED = Counter("cafe_websockets_opened_total", "WebSockets that joined the hub, by stream.", ["stream"])
EVENTS_WRITTEN = Counter("cafe_events_written_total", "Events written to the event log (counted at commit).")
EVENTS_PUBLISHED = Counter(
    "cafe_events_published_total", "Committed events handed to Redis (or to this process's hub)."
)
EVENTS_DELIVERED = Counter(
    "cafe_events_delivered_total",
    "Events offered to sockets: live from the hub (one per socket) or replayed from the log.",
    ["path"],
)
DELIVERY_LAG = Histogram(
    "cafe_event_delivery_lag_seconds",
    "From an event's time (`ts`, taken in its transaction just before commit) to the hub "
    "writing it to its sockets in this process; once per event and process with sockets for it.",
    buckets=LAG_BUCKETS,
)
RESUMES = Counter(
    "cafe_websocket_resumes_total", "Replays asked for: a join with `since`, or a `resume` action.", ["via"]
)
RESYNCS = Counter("cafe_websocket_resyncs_total", "`resync_required` sent: the log no longer held what was asked.")
OVERLOAD_CLOSES = Counter(
    "cafe_websocket_1013_closes_total",
    "Sockets closed 1013: their client fell too far behind (outbox) or the database was unavailable.",
    ["reason"],
)
HUB_GAP_FILLS = Counter("cafe_hub_gap_fills_total", "Reads of the log to fill a gap in a company's seq.")
HUB_LOG_POLLS = Counter("cafe_hub_log_polls_total", "The hub's periodic reads of the latest seqs.")

TS_MARK = '"ts": "'


def event_time(text: str) -> float | None:
    """The ``ts`` of an event's message (the last field ``realtime.emit`` writes), as a
    Unix time; None if it has none."""
    start = text.rfind(TS_MARK)
    if start < 0:
        return None
    start += len(TS_MARK)
    end = text.find('"', start)
    try:
        return datetime.fromisoformat(text[start:end]).timestamp()
    except ValueError:
        return None


def dispatched(text: str, sockets: int) -> None:
    """An event the hub offered live to ``sockets`` sockets of this process."""
    if not sockets:
        return
    EVENTS_DELIVERED.labels(path="live").inc(sockets)
    written = event_time(text)
    if written is not None:
        DELIVERY_LAG.observe(max(time.time() - written, 0.0))
