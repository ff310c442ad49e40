"""Two house themes, coal (dark) and paper (light); `ctrl+t` or the palette switches between them."""

from __future__ import annotations

from textual.theme import Theme

COAL = Theme(
    name="kuzbass-coal",
    primary="#D9822B",
    secondary="#8FA3B8",
    accent="#E8B04B",
    warning="#E8B04B",
    error="#E0604F",
    success="#7FB069",
    foreground="#E6E1D8",
    background="#171614",
    surface="#201E1B",
    panel="#2B2824",
    dark=True,
)

PAPER = Theme(
    name="kuzbass-paper",
    primary="#9C3D10",
    secondary="#3E5C76",
    accent="#8A5A00",
    warning="#8A5A00",
    error="#B3261E",
    success="#3B6E2A",
    foreground="#2A2520",
    background="#F4EFE6",
    surface="#EAE3D6",
    panel="#DDD4C4",
    dark=False,
)

THEMES = (COAL, PAPER)


def other_theme(current: str) -> str:
    """The house theme to switch to from `current` (any non-house theme goes to coal)."""
    return PAPER.name if current == COAL.name else COAL.name
