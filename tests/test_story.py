"""The real campaign and the example story: both check clean, and 2,000 random playthroughs
visit every node, reach every ending, and never get stuck or fail."""

from __future__ import annotations

import json

import pytest

from kuzbass_game.cli import main

from conftest import REPO

STORIES = [pytest.param("story", id="campaign"), pytest.param("docs/examples/ferry", id="ferry")]


@pytest.mark.parametrize("story", STORIES)
def test_check_is_clean_without_warnings(capsys, monkeypatch, story):
    monkeypatch.chdir(REPO)
    code = main(["check", story])
    out = capsys.readouterr().out
    assert code == 0, out
    lines = out.splitlines()
    assert len(lines) == 1, "\n".join(lines)  # only the summary: no diagnostics at all, warnings included
    assert lines[0].startswith(f"{story}: 0 errors, 0 warnings in ")


@pytest.mark.parametrize("story", STORIES)
def test_two_thousand_playthroughs_cover_the_story(capsys, monkeypatch, story):
    monkeypatch.chdir(REPO)
    code = main(["explore", story, "--runs", "2000", "--seed", "1", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert data["errors"] == []
    assert data["dead_ends"] == []
    assert data["unvisited_nodes"] == [] and data["nodes_visited"] == data["nodes_total"]
    assert data["endings_unreached"] == [] and data["endings"]
    assert code == 0
