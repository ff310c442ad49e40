"""Story tests' checkpoints: what must hold on the way, checked at the scene, each failure at its own line."""

from __future__ import annotations

import shutil

from kuzbass_game.engine.load import load_story

from conftest import FERRY_DIR


def problems(result) -> list[str]:
    return [d.format() for d in result.diagnostics]


# ---------------------------------------------------------------- story tests: checkpoints on the way

CHECKPOINTS = """\
tests:
  holds_on_the_way:
    seed: 1
    steps: ["Anna", 1, 1, 2]
    checkpoints:
      - at: waiting
        holds: ['kopeks == 3', 'name == "Anna"']
        shows: "you have 3"
        open: ["Pay the fare", crossing]
        hidden: "Buy the sheepskin"
      - at: crossing
        lacks: "ledger"
        open: "Hold the horse's bridle"
    ending: far_bank
  wrong_on_the_way:
    seed: 1
    steps: ["Anna", 1, 1, 2]
    checkpoints:
      - at: waiting
        holds: 'kopeks == 5'
        shows: "the ferry is late"
        lacks: "The fare is two kopeks"
        locked: "Pay the fare"
        open: "Swim across"
        hidden: "Offer him your tobacco"
      - at: waiting
        visit: 2
        holds: 'kopeks == 3'
      - at: soaked
        holds: 'warmth == 0'
"""


def test_checkpoints_that_hold_add_nothing(tmp_path):
    story = shutil.copytree(FERRY_DIR, tmp_path / "ferry")
    (story / "scenes" / "checkpoints.yaml").write_text(CHECKPOINTS.split("  wrong_on_the_way:")[0], encoding="utf-8")
    assert problems(load_story(story)) == []


def test_each_checkpoint_failure_is_reported_at_its_line_with_the_step_and_the_values(tmp_path):
    story = shutil.copytree(FERRY_DIR, tmp_path / "ferry")
    (story / "scenes" / "checkpoints.yaml").write_text(CHECKPOINTS, encoding="utf-8")
    where = "error: story test 'wrong_on_the_way', checkpoint at 'waiting' (after step 2)"
    assert [p.replace(f"{tmp_path}/", "") for p in problems(load_story(story))] == [
        f"ferry/scenes/checkpoints.yaml:20:16: {where}: 'kopeks == 5' does not hold (kopeks = 3)",
        f'ferry/scenes/checkpoints.yaml:21:16: {where}: the scene does not show "the ferry is late"; it reads: '
        '""Anna," he repeats, and writes something that is not quite it. The fare is two kopeks; you have 3. Literal braces look like {this}."',
        f'ferry/scenes/checkpoints.yaml:22:16: {where}: the scene shows "The fare is two kopeks", which it should not',
        f'ferry/scenes/checkpoints.yaml:23:17: {where}: the choice "Pay the fare" is open, and should be locked',
        f'ferry/scenes/checkpoints.yaml:24:15: {where}: no choice matches "Swim across"; it offers 1. Pay the fare; 2. Offer him your tobacco instead; '
        "3. Stamp your feet and wait longer; 4. Give up and walk back to the barracks; 5. Ask the other passengers whether to cross in this wind",
        f'ferry/scenes/checkpoints.yaml:25:17: {where}: the choice "Offer him your tobacco" is shown (open), and should be hidden',
        "ferry/scenes/checkpoints.yaml:26:9: error: story test 'wrong_on_the_way': the route reaches 'waiting' only 1 time, "
        "so this checkpoint (visit 2) is never checked",
        "ferry/scenes/checkpoints.yaml:29:9: error: story test 'wrong_on_the_way': the route never reaches 'soaked', so this checkpoint (visit 1) is never checked",
    ]


def test_a_locked_choice_is_named_with_its_reason_when_it_should_be_open(tmp_path):
    story = shutil.copytree(FERRY_DIR, tmp_path / "ferry")
    route = "tests:\n  broke:\n    steps: [\"Anna\", 1]\n    checkpoints:\n      - at: waiting\n        holds: 'kopeks == 3'\n"
    (story / "scenes" / "checkpoints.yaml").write_text(route.replace("kopeks == 3", "kopeks == 1") + "        open: Pay the fare\n", encoding="utf-8")
    manifest = story / "manifest.yaml"
    text = manifest.read_text(encoding="utf-8").split("\n# Scripted playthroughs")[0]  # the manifest's own routes need three kopeks
    manifest.write_text(text.replace("    default: 3\n    min: 0\n    max: 20", "    default: 1\n    min: 0\n    max: 20"), encoding="utf-8")
    assert [p.replace(f"{tmp_path}/", "") for p in problems(load_story(story))] == [
        "ferry/scenes/checkpoints.yaml:7:15: error: story test 'broke', checkpoint at 'waiting' (after step 2): "
        'the choice "Pay the fare" is locked: You need two kopeks; you have 1., and should be open'
    ]


def test_a_checkpoint_names_a_real_node_and_a_visit_from_one(tmp_path):
    story = shutil.copytree(FERRY_DIR, tmp_path / "ferry")
    bad = "tests:\n  typo:\n    steps: [\"Anna\"]\n    checkpoints:\n      - at: wating\n        visit: 0\n        shows: ''\n"
    (story / "scenes" / "checkpoints.yaml").write_text(bad, encoding="utf-8")
    found = problems(load_story(story))
    assert any("visit" in p and "counts from 1" in p and ":6:" in p for p in found), found
    assert any("'shows' of checkpoint 1 of story test 'typo' is empty" in p for p in found), found
    assert any("wating" in p and "did you mean 'waiting'" in p for p in found), found


def test_a_checkpoint_reads_the_vote_count_on_screen(tmp_path):
    story = shutil.copytree(FERRY_DIR, tmp_path / "ferry")
    route = (
        'tests:\n  counted:\n    steps: ["Anna", 1, 5, 1]\n    checkpoints:\n'
        "      - at: crossing\n        shows: ['Miners going to the shift: 6 for, 0 against', '8 for, 4 against: PASSED']\n"
        "        lacks: 'you tipped'\n"
    )
    (story / "scenes" / "checkpoints.yaml").write_text(route, encoding="utf-8")
    assert problems(load_story(story)) == []
    (story / "scenes" / "checkpoints.yaml").write_text(route.replace("lacks: 'you tipped'", "lacks: 'the mood of the hall'"), encoding="utf-8")
    found = [p.replace(f"{tmp_path}/", "") for p in problems(load_story(story))]
    assert found == [
        "ferry/scenes/checkpoints.yaml:7:16: error: story test 'counted', checkpoint at 'crossing' (after step 4): "
        'the scene shows "the mood of the hall", which it should not'
    ]
