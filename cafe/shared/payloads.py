"""The scalars every event payload of the cafe is written in (``cafe/<area>/payloads.py``)."""

Money = str  # a decimal with two places, "350.00"
Kilograms = str  # a weight in kg with three places, "0.350"
Uuid = str
Timestamp = str  # ISO 8601 with time zone
