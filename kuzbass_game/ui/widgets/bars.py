"""A value on its scale as a bar of eighth blocks ("██████▍░░░"), for the side panel and the stats.

Only ints with both a minimum and a maximum get a bar; everything else is shown as its value.
"""

from __future__ import annotations

from kuzbass_game.engine.play import StatusItem

from textual.content import Content

EIGHTHS = " ▏▎▍▌▋▊▉"
FULL = "█"
EMPTY = "░"


def has_scale(item: StatusItem) -> bool:
    return item.number is not None and item.minimum is not None and item.maximum is not None and item.maximum > item.minimum


def bar(item: StatusItem, width: int) -> Content:
    """The filled share of `width` cells in the accent colour, the rest a faint track."""
    if not has_scale(item) or width <= 0 or item.number is None or item.minimum is None or item.maximum is None:
        return Content("")
    share = (min(max(item.number, item.minimum), item.maximum) - item.minimum) / (item.maximum - item.minimum)
    eighths = round(share * width * 8)
    full, part = divmod(eighths, 8)
    filled = FULL * full + (EIGHTHS[part] if part else "")
    return Content.assemble((filled, "$accent"), (EMPTY * (width - len(filled)), "$foreground 25%"))


def scaled(item: StatusItem) -> str:
    """ "6/10" for a value on a scale, else the value as it is shown."""
    return f"{item.value}/{item.maximum}" if has_scale(item) else item.value
