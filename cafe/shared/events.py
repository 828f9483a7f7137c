"""The cafe's sockets: ``ws/cafe/<stream>/``, registered with ``realtime`` in
``CafeConfig.ready`` (the kitchen's with the menu's station narrowing). Every area
sends its events to these, so they live below the areas."""

from enum import StrEnum


class Stream(StrEnum):
    ORDERS = "orders"
    TABLES = "tables"
    KITCHEN = "kitchen"
