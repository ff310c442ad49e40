"""The campaign's `people:` (story/people.yaml): at an ending the run summary says who stayed
with the player, and two different lives name different people, in both faces' words."""

from __future__ import annotations

import io

import pytest
import yaml

from kuzbass_game.authoring import load_and_check
from kuzbass_game.engine.play import Game, run_sections, summarize
from kuzbass_game.plain import run_plain

from conftest import STORY_DIR

SECTION = "Who stayed with you"


@pytest.fixture(scope="module")
def campaign():
    result = load_and_check(STORY_DIR)
    assert result.story is not None and result.warnings == [], [d.format() for d in result.diagnostics]
    return result.story


def route(name: str) -> dict:
    for path in sorted((STORY_DIR / "tests").glob("personas_*.yaml")):
        tests = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("tests") or {}
        if name in tests:
            return tests[name]
    raise LookupError(name)


def lived(story, name: str) -> Game:
    test = route(name)
    game = Game(story, seed=test.get("seed", 0))
    for step in test["steps"]:
        game.submit(step) if isinstance(step, str) else game.choose_number(step)
    assert game.state.node == test["ending"]
    return game


def stayed(game: Game) -> tuple[str, ...]:
    return dict(run_sections(summarize(game))).get(SECTION, ())


def test_two_lives_name_different_people(campaign):
    delegate = stayed(lived(campaign, "finnish_delegate"))  # a Finnish woman who stays on with the Gorbunovs
    labourer = stayed(lived(campaign, "scranton_labourer"))  # a Scranton labourer who leaves, paid off
    assert "You stayed on under the Gorbunovs' roof when the trust took the colony over, at the same work for a Russian wage." in delegate
    assert "Tuchelsky counted you among the stayers, and you stayed." in delegate
    assert "You boarded with Stepan and Agafya Gorbunov, and fifty of your rubles went into their cow." in labourer
    assert "Vasya walked home beside you from the Gorbunovs' hay meadows across the Tom in August 1925." in labourer
    assert "When Mrs Hiltunen's niece lay dying in August 1922, you kept your distance." in labourer
    assert "Tuchelsky counted you among the stayers; you went all the same." in labourer
    assert set(delegate) != set(labourer)


def test_a_life_cut_short_names_only_whom_it_met(campaign):
    assert stayed(lived(campaign, "leaves_1923")) == ("You stood by Mrs Hiltunen in August 1922, while her niece was dying.",)


def test_line_mode_tells_who_stayed(campaign, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    test = route("leaves_1923")
    typed = "".join(f"{step}\n" for step in test["steps"]) + "quit\n"
    out = io.StringIO()
    assert run_plain(campaign, tmp_path / "saves", seed=test.get("seed", 0), lines=io.StringIO(typed), out=out) == 0
    told = " ".join(out.getvalue().split())
    assert f"{SECTION}. You stood by Mrs Hiltunen in August 1922, while her niece was dying." in told


def test_the_ending_screen_tells_who_stayed(campaign):
    from kuzbass_game.ui.screens.ending import run_summary

    shown = run_summary(summarize(lived(campaign, "leaves_1923"))).plain
    assert f"{SECTION}\nYou stood by Mrs Hiltunen in August 1922, while her niece was dying." in shown
