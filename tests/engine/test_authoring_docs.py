"""The docs say what an outside author had to guess (issue 19): story-format.md's tables name every
key the compiler takes, a vote rounds as the docs say, and authoring.md tells each point."""

from __future__ import annotations

from kuzbass_game.engine.load.loader import load_story


VOTE_NODES = """\
nodes:
  start:
    text: The hall.
    vote:
      question: "That the stove be lit"
      factions:
        - name: "Everyone"
          size: 12
          for: 30
      outcomes:
        passed: end
        failed: end
    choices:
      - text: Keep your hand down
        ballot: abstain
  end:
    text: Bye
    ending:
      title: Done
"""


def doc(name: str) -> str:
    from conftest import REPO

    return (REPO / "docs" / name).read_text(encoding="utf-8")


def table_keys(text: str, heading: str) -> set[str]:
    """The keys named in the first column of the first table after `heading`."""
    import re

    after = text[text.index(heading) :]
    table = re.search(r"(?m)^\| key \|.*\n\|[- |]+\|\n((?:\|.*\n)+)", after)
    assert table is not None, heading
    return {key for row in table.group(1).splitlines() for key in re.findall(r"`([a-z_]+)`", row.split("|")[1])}


def test_story_format_tables_name_every_manifest_variable_and_codex_key():
    from kuzbass_game.engine.format.compiler import MANIFEST_KEYS
    from kuzbass_game.engine.format.codex import CODEX_KEYS
    from kuzbass_game.engine.format.declarations import VARIABLE_KEYS

    text = doc("story-format.md")
    assert table_keys(text, "## The manifest") == set(MANIFEST_KEYS)  # introduction, afterword and stable among them
    assert table_keys(text, "A variable declaration:") == set(VARIABLE_KEYS)  # values, description and show_if too
    assert table_keys(text, "## Codex") == set(CODEX_KEYS)  # sources, not only by example
    from kuzbass_game.engine.format.people import PERSON_LINE_KEYS

    assert table_keys(text, "## People: who stayed with you") == set(PERSON_LINE_KEYS)


def test_a_vote_rounds_each_faction_as_the_docs_say(make_story):
    from kuzbass_game.engine.play.game import Game

    story = load_story(make_story({"nodes.yaml": VOTE_NODES})).story
    view = Game(story, seed=1).choose_number(1)
    (row,) = view.tally.rows
    assert (row.share, row.yes, row.no) == (30, 4, 8)  # 30% of 12 is 3.6: 4 for, as story-format.md says
    assert "30% of 12 is 3.6, so 4 vote for and 8 against" in doc("story-format.md")
    assert "30% of 12 is 3.6: 4 vote for" in doc("authoring.md")


def test_authoring_md_tells_an_outside_author_each_point():
    text = " ".join(doc("authoring.md").split())
    for said in (
        "`stable:` at the top of `story/manifest.yaml`",  # which campaign nodes to hook into
        "`check` warns at each place your layer names any other campaign node",
        "leaves 'gender' unset",  # the sibling warning
        "A scene that asks for typed input",  # a choice added to an input node
        "rounded to the nearest whole vote",  # vote share rounding
        "Write what the player did as a faction's `moves:`",  # `for` or `moves:`
        "`introduction` (read before a new game) and `afterword`",
        "`values: [worker, miner, carpenter, clerk]`",
        "`sources:`, a list of the works it rests on",
        'its own section under `"layers"`',  # explore --json per layer
    ):
        assert said in text, said
