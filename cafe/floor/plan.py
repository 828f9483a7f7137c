"""Where a table sits on its hall's plan: the box it covers once turned, and whether
that box stays on the hall's canvas. Plan units are whole numbers; a table turns
about its centre."""

import math
from dataclasses import dataclass

from cafe.floor.models import TableShape

# Floating-point slack: a square turned by 90° covers exactly its own box, though
# cos(90°) is 6e-17, not 0.
_SLACK = 1e-6


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float


def footprint(*, x: int, y: int, width: int, height: int, shape: str, rotation: int) -> Box:
    """The axis-aligned box a table covers: its rectangle (or the ellipse inscribed in
    it, for a round table) turned by ``rotation`` degrees about its centre."""
    turn = math.radians(rotation % 360)
    cos, sin = abs(math.cos(turn)), abs(math.sin(turn))
    if shape == TableShape.ROUND:
        a, b = width / 2, height / 2
        half_w, half_h = math.hypot(a * cos, b * sin), math.hypot(a * sin, b * cos)
    else:
        half_w, half_h = (width * cos + height * sin) / 2, (width * sin + height * cos) / 2
    centre_x, centre_y = x + width / 2, y + height / 2
    return Box(centre_x - half_w, centre_y - half_h, centre_x + half_w, centre_y + half_h)


def overflow(box: Box, *, width: int, height: int) -> tuple[bool, bool]:
    """Whether ``box`` leaves a canvas of ``width`` × ``height`` across (x) and down (y)."""
    across = box.left < -_SLACK or box.right > width + _SLACK
    down = box.top < -_SLACK or box.bottom > height + _SLACK
    return across, down


def needs(box: Box) -> tuple[int, int]:
    """The smallest canvas (width, height) that holds ``box``."""
    return math.ceil(box.right - _SLACK), math.ceil(box.bottom - _SLACK)
