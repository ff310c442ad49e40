"""The campaign's figures: what makes rations, votes and the wage transition play, not scenery.

These read the real story and 2,000 random playthroughs of it, so a story edit that turns a vote
back into a token, leaves a codex entry unreachable or drops who the player is fails here.
"""

from __future__ import annotations

import re

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
