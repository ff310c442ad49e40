"""What an author can write, at scale (issue 17): a layer's `extend:` entries and a manifest's
computed values are checked in time linear in their number.

Timing is left to benchmarks/author_scale.py (10,000 and 50,000, on a quiet machine); these
tests count the work that grew quadratically instead, so they hold on a busy one: the passes
over a layer's extensions, and the names copied into expression scopes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kuzbass_game.engine.core import expr
from kuzbass_game.engine.format import compiler
from kuzbass_game.engine.load.loader import load_story


def write_layered(root: Path, size: int) -> list[Path]:
    """A chain of `size` nodes, and a layer that adds one choice to every node but the ending."""
    base, layer = root / "base", root / "layer"
    base.mkdir(parents=True)
    layer.mkdir()
    (base / "manifest.yaml").write_text("id: chain\ntitle: Chain\nstart: n0\n")
    nodes = ["nodes:"]
    for i in range(size - 1):
        nodes += [f"  n{i}:", f"    text: Step {i}.", "    choices:", "      - text: Onward", f"        goto: n{i + 1}"]
    nodes += [f"  n{size - 1}:", "    text: The end.", "    ending:", "      title: End"]
    (base / "nodes.yaml").write_text("\n".join(nodes) + "\n")
    (layer / "manifest.yaml").write_text("id: back\nextends: chain\n")
    extend = ["extend:"]
    for i in range(size - 1):
        extend += [f"  n{i}:", "    choices:", "      - text: Back to the start", "        goto: n0"]
    (layer / "extend.yaml").write_text("\n".join(extend) + "\n")
    return [base, layer]


class CountedList(list):
    """A list that counts the passes made over it."""

    passes = 0

    def __iter__(self):
        self.passes += 1
        return super().__iter__()


def passes_over_extensions(monkeypatch: pytest.MonkeyPatch, folders: list[Path]) -> int:
    counted: list[CountedList] = []
    original = compiler.StoryBuilder.__init__

    def counted_init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.extensions = CountedList(self.extensions)
        counted.append(self.extensions)

    with monkeypatch.context() as patch:
        patch.setattr(compiler.StoryBuilder, "__init__", counted_init)
        result = load_story(folders)
    assert result.story is not None, [d.format() for d in result.errors[:3]]
    assert len(result.story.extended) == len(result.story.nodes) - 1
    return sum(extensions.passes for extensions in counted)


@pytest.mark.timeout(120)
def test_a_layers_extend_entries_are_walked_a_fixed_number_of_times(tmp_path, monkeypatch):
    # Each extension looked through every other one (the `extended=` map): 20,000 took 17 s, 40,000 took 126 s.
    small = passes_over_extensions(monkeypatch, write_layered(tmp_path / "small", 20))
    large = passes_over_extensions(monkeypatch, write_layered(tmp_path / "large", 400))
    assert small == large <= 5, (small, large)


def names_put_in_scopes(monkeypatch: pytest.MonkeyPatch, root: Path, variables: int, computed: int) -> list[int]:
    """Load a manifest of `variables` ints and `computed` computed values; the size of each scope built."""
    lines = ["id: declared", "title: Declared", "start: start", "variables:"]
    lines += [f"  v{i}: {{type: int, default: {i % 7}}}" for i in range(variables)]
    lines += ["computed:"]
    lines += [f"  c{i}: v{i} + {f'c{i - 1}' if i else '0'}" for i in range(computed)]
    root.mkdir(parents=True)
    (root / "manifest.yaml").write_text("\n".join(lines) + "\n")
    (root / "nodes.yaml").write_text(
        "nodes:\n  start:\n    text: Start\n    choices:\n      - text: Go\n        goto: end\n        if: c0 >= 0\n"
        "  end:\n    text: End\n    ending:\n      title: End\n"
    )
    built: list[int] = []

    class CountedScope(expr.Scope):
        def __init__(self, names, *args, **kwargs):
            built.append(len(names))
            super().__init__(names, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(expr, "Scope", CountedScope)
        result = load_story(root)
    assert result.story is not None, [d.format() for d in result.errors[:3]]
    return built


@pytest.mark.timeout(120)
def test_computed_values_share_one_scope_instead_of_copying_every_variable(tmp_path, monkeypatch):
    # (150 variables: fewer than 200 go unread, so the story has fewer warnings than one file shows.)
    # Each computed value rebuilt the scope from every variable: 50,000 variables with 5,000 computed values took 158 s.
    few = names_put_in_scopes(monkeypatch, tmp_path / "few", 150, 10)
    many = names_put_in_scopes(monkeypatch, tmp_path / "many", 150, 120)
    assert len(many) == len(few) <= 5, (len(few), len(many))
    assert sum(many) <= 2 * 150, sum(many)  # names copied: at most about the variables once over, not once per computed value
