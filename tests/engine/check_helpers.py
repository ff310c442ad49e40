"""What the check tests share: a load's diagnostics as the lines check prints, and a small layer
(the night shift) over the tiny story of conftest.py."""

from __future__ import annotations


def problems(result) -> list[str]:
    return [d.format() for d in result.diagnostics]


def warnings(result) -> list[str]:
    return [d.format() for d in result.warnings]


NIGHT_MANIFEST = 'id: night_shift\nextends: tiny\ntitle: "The night shift"\nvariables:\n  shift:\n    type: bool\n'

NIGHT_NODES = (
    "extend:\n  start:\n    choices:\n      - text: Work the night\n        goto: night\n        effects: shift = true\n"
    "nodes:\n  night:\n    text: Dark.\n    choices:\n      - text: Home\n        goto: end\n        if: shift\n"
    "      - text: Home by the river\n        goto: end\n"
)


def night_layer(tmp_path, manifest: str = NIGHT_MANIFEST):
    layer = tmp_path / "night"
    layer.mkdir(exist_ok=True)
    (layer / "manifest.yaml").write_text(manifest)
    (layer / "night.yaml").write_text(NIGHT_NODES)
    return layer
