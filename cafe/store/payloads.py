"""What the storeroom's events carry. Quantities are decimal strings in the
ingredient's base unit; no cost travels on a socket (cooks and waiters see them)."""

from typing import TypedDict

from cafe.shared.payloads import Uuid


class StockIngredientObject(TypedDict):
    id: Uuid
    name: str
    unit: str


class StockLowData(TypedDict):
    ingredient: StockIngredientObject
    # What is left now (below zero when the branch allows negative stock) and the threshold crossed.
    on_hand: str
    low_threshold: str | None
    # Sold past zero: the branch allows negative stock, and this is its warning.
    negative: bool
    company_id: Uuid
    branch_id: Uuid
