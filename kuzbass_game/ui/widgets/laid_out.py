"""A Visual that is one piece of Content laid out for a width: the status bar, the side list,
the count of a vote, the lines that open a scene.

Each of them works out its text for the width it is given (and caches it); drawing, measuring
and sizing are then the same three delegations, written once here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.visual import Visual

if TYPE_CHECKING:
    from textual.content import Content
    from textual.css.styles import RulesMap
    from textual.strip import Strip
    from textual.style import Style
    from textual.visual import RenderOptions


class LaidOutText(Visual):
    MIN_HEIGHT = 0  # lines it keeps even when empty (a status bar keeps one)

    def text(self, width: int) -> Content:  # pragma: no cover - every subclass lays out its own
        raise NotImplementedError

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        return self.text(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.text(container_width).get_optimal_width(rules, container_width)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return max(self.MIN_HEIGHT, self.text(width).get_height(rules, width))
