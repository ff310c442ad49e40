"""The cache image's named fields: each model class the cache keeps has a layout that names every
one of its fields, so a field added to a model class cannot be silently dropped by the cache."""

from __future__ import annotations

import dataclasses
import inspect
import os
import subprocess
import sys
from collections.abc import Mapping

import pytest

from conftest import REPO
from test_constructs import MANIFEST, NODES

from kuzbass_game.engine.core import model
from kuzbass_game.engine.core.expr import Condition, Effects
from kuzbass_game.engine.load import cache
from kuzbass_game.engine.load.loader import load_story

STORED_AS_A_KIND = {model.VarRef: cache.PARTS}  # a `{name}` hole: part of a text, not a record of its own


def test_every_field_of_every_model_class_has_its_place_in_a_layout():
    cache.check_layouts()  # also run when the cache is imported
    kept = {layout.cls for layout in cache.LAYOUTS}
    classes = {cls for _name, cls in inspect.getmembers(model, dataclasses.is_dataclass) if cls.__module__ == model.__name__}
    assert classes - kept - set(STORED_AS_A_KIND) == set(), "a model class the cache neither keeps nor stores as a kind"
    for layout in cache.LAYOUTS:
        assert list(layout.fields) == [f.name for f in dataclasses.fields(layout.cls) if f.init]


def test_a_field_added_to_a_model_class_fails_the_layout_check():
    @dataclasses.dataclass(frozen=True, slots=True, eq=False)
    class Choice(model.Choice):  # a copy of Choice with one field more
        mood: str = "calm"

    with pytest.raises(TypeError, match=r"layout of Choice does not match the class: it does not keep mood"):
        cache.check_layouts([cache.Layout(Choice, **cache.CHOICE.fields)])
    cache.check_layouts([cache.Layout(Choice, **cache.CHOICE.fields, mood=cache.PLAIN)])  # given its place, it passes


def test_the_cache_refuses_to_import_beside_a_model_field_it_does_not_keep():
    """In a fresh interpreter: a field added to `Routine` before the cache is imported stops the import."""
    code = (
        "import dataclasses\n"
        "from kuzbass_game.engine.core import model\n"
        "@dataclasses.dataclass(frozen=True, eq=False)\n"
        "class Routine(model.Routine):\n"
        "    every: int = 1\n"
        "model.Routine = Routine\n"
        "from kuzbass_game.engine.load import cache\n"
    )
    done = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "TypeError: the story cache's layout of Routine does not match the class: it does not keep every" in done.stderr


def test_a_cache_written_with_other_layouts_is_not_read(make_story, monkeypatch):
    root = make_story({"nodes.yaml": NODES}, manifest=MANIFEST)
    load_story(root, cache=True)
    assert isinstance(load_story(root, cache=True).story.nodes, cache.LazyNodes)
    monkeypatch.setattr(cache, "SHAPE", cache.SHAPE + ";Choice(one more)")
    assert not isinstance(load_story(root, cache=True).story.nodes, cache.LazyNodes)  # another key: compiled afresh


def _same(cold: object, warm: object, where: str) -> None:
    """Every field of two loaded stories alike, recursively; compiled expressions by their source."""
    if isinstance(cold, (Condition, Effects)):
        assert type(warm) is type(cold) and warm.source == cold.source, where
    elif dataclasses.is_dataclass(cold):
        assert type(warm) is type(cold), where
        for field in dataclasses.fields(cold):
            _same(getattr(cold, field.name), getattr(warm, field.name), f"{where}.{field.name}")
    elif isinstance(cold, Mapping):
        assert isinstance(warm, Mapping) and list(warm) == list(cold), where
        for key in cold:
            _same(cold[key], warm[key], f"{where}[{key!r}]")
    elif isinstance(cold, tuple):
        assert isinstance(warm, tuple) and len(warm) == len(cold), where
        for number, (a, b) in enumerate(zip(cold, warm)):
            _same(a, b, f"{where}[{number}]")
    elif callable(cold):  # a compiled evaluator: compared through the source beside it
        assert callable(warm), where
    else:
        assert warm == cold, where


def test_every_kept_field_survives_the_cache(make_story):
    root = make_story({"nodes.yaml": NODES, "more.yaml": 'routines:\n  rest: "grade += 0"\n'}, manifest=MANIFEST)
    cold = load_story(root, cache=True)
    warm = load_story(root, cache=True)
    assert isinstance(warm.story.nodes, cache.LazyNodes)
    assert warm.story.ending_ids == tuple(cold.story.endings)  # a fresh story works them out; a cached one knows them
    _same(dataclasses.replace(cold.story, ending_ids=warm.story.ending_ids), warm.story, "story")
    assert warm.diagnostics == cold.diagnostics
