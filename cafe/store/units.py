"""Units of measure: an ingredient is counted in one base unit (kg, g, l, ml or
pcs); a quantity in a compatible unit converts to it exactly (decimal), and
units of different kinds (mass, volume, pieces) never convert."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    KG = "kg", _("kg")
    G = "g", _("g")
    L = "l", _("l")
    ML = "ml", _("ml")
    PCS = "pcs", _("pcs")


# Each unit's dimension and its size in the dimension's smallest unit.
_SIZE: dict[str, tuple[str, Decimal]] = {
    Unit.KG: ("mass", Decimal(1000)),
    Unit.G: ("mass", Decimal(1)),
    Unit.L: ("volume", Decimal(1000)),
    Unit.ML: ("volume", Decimal(1)),
    Unit.PCS: ("pieces", Decimal(1)),
}


def units_compatible(a: str, b: str) -> bool:
    return _SIZE[a][0] == _SIZE[b][0]


def unit_convert(quantity: Decimal, *, from_unit: str, to_unit: str) -> Decimal:
    """``quantity`` of ``from_unit`` in ``to_unit`` (``ValueError`` across dimensions)."""
    if from_unit == to_unit:
        return quantity
    if not units_compatible(from_unit, to_unit):
        raise ValueError(f"{from_unit} does not convert to {to_unit}")
    return quantity * _SIZE[from_unit][1] / _SIZE[to_unit][1]
