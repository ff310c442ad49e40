"""The campaign's figures: what makes rations, votes and the wage transition play, not scenery.

These read the real story and 2,000 random playthroughs of it, so a story edit that turns a vote
back into a token, leaves a codex entry unreachable or drops who the player is fails here.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from kuzbass_game.authoring import load_and_check
from kuzbass_game.engine.tools.explorer import explore

from conftest import STORY_DIR

RUNS = 2000


@pytest.fixture(scope="module")
def campaign():
    result = load_and_check(STORY_DIR)
    assert result.story is not None, [d.format() for d in result.errors]
    assert result.warnings == [], [d.format() for d in result.warnings]
    return result.story


@pytest.fixture(scope="module")
def report(campaign):
    return explore(campaign, runs=RUNS, seed=1)


def conditions(story):
    """Every condition of the story with where it sits (choices, branches, paragraphs, vote moves)."""
    for node in story.nodes.values():
        yield from node_conditions(node)


def node_conditions(node):
    """One node's conditions: its paragraphs', choices', random branches' and vote moves'."""
    for paragraph in node.paragraphs:
        if paragraph.condition is not None:
            yield paragraph.condition
    for choice in node.choices:
        if choice.condition is not None:
            yield choice.condition
        for branch in choice.branches:
            if branch.condition is not None:
                yield branch.condition
    if node.vote is not None:
        for faction in node.vote.factions:
            for move in faction.moves:
                if move.condition is not None:
                    yield move.condition


def test_the_campaign_is_large_enough(campaign):
    words = sum(
        len(re.findall(r"\w+", part))
        for node in campaign.nodes.values()
        for paragraph in node.paragraphs
        for part in paragraph.parts
        if isinstance(part, str)
    )
    assert len(campaign.nodes) >= 220
    assert words >= 45_000


def test_every_assembly_goes_both_ways(campaign, report):
    data = report.to_json(campaign)
    assert len(campaign.votes) >= 5
    for vote_id, outcomes in data["votes"].items():
        held = sum(outcomes.values())
        assert held >= 50, f"{vote_id} is held in only {held} of {RUNS} runs"
        for outcome in ("passed", "failed"):
            share = outcomes.get(outcome, 0) / held
            assert share >= 0.15, f"{vote_id}: '{outcome}' in {share:.0%} of the {held} runs that reach it"


def test_who_you_are_changes_what_happens(campaign):
    reads = [c for c in conditions(campaign) if {"gender", "origin"} & c.reads]
    assert len(reads) >= 30
    assert any("gender" in c.reads for c in reads) and any("origin" in c.reads for c in reads)


def test_the_codex_is_full_and_every_entry_can_be_found(campaign, report):
    data = report.to_json(campaign)
    assert data["codex"]["entries"] >= 60
    assert data["codex"]["never_unlocked"] == []


def test_the_ration_and_wage_economy_is_read(campaign):
    """Food, soap and makhorka press on the player: conditions read them, not only effects."""
    read = set().union(*(c.reads for c in conditions(campaign)))
    assert {"food", "soap", "makhorka", "work_record"} <= read


def test_two_thousand_playthroughs_cover_the_campaign(campaign, report):
    data = report.to_json(campaign)
    assert data["errors"] == [] and data["dead_ends"] == []
    assert data["unvisited_nodes"] == []
    assert data["endings_unreached"] == []


# ---------------------------------------------------------------- one coherent life (issue 16)

LATE = ("ch3_wages_and_ending", "ch4_codas")  # chapters III to V: 1924 to the codas
PRESSING = {"food", "health", "soap", "rubles"}


def test_the_nine_hour_vote_which_is_on_the_record_mostly_passes(campaign, report):
    outcomes = report.to_json(campaign)["votes"]["office_rats"]
    assert outcomes.get("passed", 0) / sum(outcomes.values()) >= 0.70


def test_no_ending_takes_more_than_a_fifth_of_the_runs(campaign, report):
    endings = report.to_json(campaign)["endings"]
    total = sum(endings.values())
    assert max(endings.values()) / total <= 0.20, sorted(endings.items(), key=lambda item: -item[1])[:3]


def test_rations_and_pay_still_press_in_the_last_chapters(campaign):
    """Chapters III-V read food, health, soap or rubles in at least 15 conditions."""
    late = [
        condition
        for node in campaign.nodes.values()
        if node.mark is not None and any(part in node.mark.path for part in LATE)
        for condition in node_conditions(node)
        if PRESSING & condition.reads
    ]
    assert len(late) >= 15


def test_at_least_ten_persona_routes_each_with_eight_checkpoints(campaign):
    """The routes run at every check (the campaign fixture asserts no errors); here, that they are
    there: whole games to a named ending, each with at least 8 checkpoints on the way."""
    import yaml

    routes = {}
    for path in STORY_DIR.rglob("*.yaml"):
        tests = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("tests") or {}
        routes.update({name: test for name, test in tests.items() if test.get("ending") and len(test.get("checkpoints") or ()) >= 8})
    assert len(routes) >= 10, sorted(routes)
    assert all(campaign.nodes[test["ending"]].ending is not None for test in routes.values())


def test_few_screens_offer_only_one_way_on(campaign):
    """A one-choice "go on" screen is waste: at most 5 in a run, in 200 random runs."""
    import random

    from kuzbass_game.engine.play import Game

    worst = 0
    for seed in range(200):
        game, rng, lonely = Game(campaign, seed=seed, keep_history=False), random.Random(seed), 0
        for _ in range(600):
            view = game.view()
            if view.ending is not None:
                break
            if view.input is not None:
                game.submit("Aino")
                continue
            open_ = [c for c in view.choices if c.enabled]
            lonely += len(open_) == 1
            game.choose(rng.choice(open_).index)
        worst = max(worst, lonely)
    assert worst <= 5


HOARD = re.compile(
    r"\b(put (it |them |some |a little )?by|stow|lock (it|the|them)|keep (it|them|back|some)|save|store (it|them)|hoard|set aside|lay in)\b", re.I
)


def _ends_of(campaign, hoard: bool, runs: int = 150) -> dict[str, float]:
    """Mean end values of runs that always put by when they can (or never do), other choices at random."""
    import random
    import statistics

    from kuzbass_game.engine.core import strip_markup
    from kuzbass_game.engine.play import Game

    ends, took = [], 0
    for seed in range(runs):
        game, rng = Game(campaign, seed=seed, keep_history=False), random.Random(seed)
        for _ in range(700):
            view = game.view()
            if view.ending is not None:
                break
            if view.input is not None:
                game.submit("Aino")
                continue
            open_ = [c for c in view.choices if c.enabled]
            match = [c for c in open_ if HOARD.search(strip_markup(c.text))]
            pool = (match or open_) if hoard else ([c for c in open_ if c not in match] or open_)
            took += hoard and bool(match)
            game.choose(rng.choice(pool).index)
        ends.append(game.state.variables)
    result = {name: statistics.mean(v[name] for v in ends) for name in ("food", "health", "soap", "rubles")}
    result["took"] = took / runs
    return result


def test_what_was_put_by_carries_a_player_to_the_end(campaign):
    """Runs that put by end the game with more to show for it than runs that never do."""
    hoarders, spenders = _ends_of(campaign, True), _ends_of(campaign, False)
    assert hoarders["took"] >= 5  # the story offers putting by, again and again
    assert hoarders["soap"] - spenders["soap"] >= 0.5 or hoarders["rubles"] - spenders["rubles"] >= 20, (hoarders, spenders)
    assert hoarders["health"] >= spenders["health"], (hoarders, spenders)


def test_the_continuity_ledger_is_what_the_story_says_and_every_fact_is_read():
    """docs/dev/continuity-ledger.md is written from the compiled campaign: a story edit that moves
    a fact without running the script fails here, and so does a fact that no text, lock or status reads."""
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "scripts/continuity_ledger.py", "--check"], cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = [line for line in (root / "docs/dev/continuity-ledger.md").read_text(encoding="utf-8").splitlines() if line.startswith("| `")]
    assert len(rows) > 40
    unread = [row.split("|")[1].strip() for row in rows if row.rstrip(" |").endswith("—")]
    assert not unread, f"facts that nothing reads: {unread}"
