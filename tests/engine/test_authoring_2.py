"""Issue 19, "Authoring 2": what an outside author still had to guess, each point pinned.

A branch that skips what its siblings set, `=-` inside routines, the same layer given twice, a
broken layer manifest, "did you mean" only for close names, explore's per-node, per-entry and
per-layer counts, the campaign's stable nodes.
"""

from __future__ import annotations

from kuzbass_game.engine.load.loader import load_story

from conftest import STORY_DIR, TINY_MANIFEST, TINY_NODES


SIDES_MANIFEST = """\
id: sides
title: "Sides"
start: start
variables:
  side:
    type: text
    values: [left, right]
  stance:
    type: text
    values: [none, left, right]
  flag:
    type: bool
"""

SIDES_NODES = """\
nodes:
  start:
    text: Pick a side.
    choices:
      - text: Left
        goto: middle
        effects: 'side = "left"; stance = "left"; flag = true'
      - text: Right
        goto: middle
        effects: 'side = "right"; stance = "right"; flag = true'
      - text: Neither
        goto: middle
  middle:
    text: 'You stand {side}, {stance}.'
    choices:
      - text: Go on
        goto: end
        if: flag
      - text: Or go on
        goto: end
  end:
    text: Bye
    ending:
      title: Done
"""


def problems(result) -> list[str]:
    return [d.format() for d in result.diagnostics]


def warnings(result) -> list[str]:
    return [d.format() for d in result.warnings]


def test_a_choice_that_skips_what_its_siblings_set_is_warned_of_naming_the_variable(make_story):
    result = load_story(make_story({"nodes.yaml": SIDES_NODES}, manifest=SIDES_MANIFEST))
    # `side`: the others set it to its default ("left") among others, so "Neither" leaves the
    # player a left-winger unawares. `stance`'s default, "none", is one no choice gives: it means
    # "none of these"; `flag` is set to true by both: false is the honest "no".
    assert warnings(result) == [
        "story/nodes.yaml:11:9: warning: choice 3 of node 'start' leaves 'side' unset, though every other choice of the "
        'node sets it: a player who takes it goes on with what it held before (its default, "left", if nothing set it); '
        "set it here too, or on the way on"
    ]


def test_no_warning_when_the_way_on_sets_it_or_loops_back(make_story):
    on_the_way = SIDES_NODES.replace("      - text: Neither\n        goto: middle\n", "      - text: Neither\n        goto: undecided\n")
    on_the_way += (
        "  undecided:\n    text: Then choose.\n    choices:\n      - text: Left after all\n        goto: middle\n        effects: 'side = \"left\"'\n"
    )
    result = load_story(make_story({"nodes.yaml": on_the_way}, manifest=SIDES_MANIFEST))
    assert warnings(result) == []
    back = SIDES_NODES.replace(
        "      - text: Neither\n        goto: middle\n", "      - text: Think it over\n        goto: start\n        once: true\n"
    )
    assert warnings(load_story(make_story({"nodes.yaml": back}, manifest=SIDES_MANIFEST))) == []


def test_a_layer_choice_on_the_campaign_first_scene_that_sets_no_gender_is_warned_of(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    layer = tmp_path / "night"
    layer.mkdir()
    (layer / "manifest.yaml").write_text('id: night_shift\nextends: kuzbass\ntitle: "The night shift"\n')
    (layer / "night.yaml").write_text(
        "extend:\n"
        "  ch1_ship_deck:\n"
        "    choices:\n"
        '      - text: "Say nothing, and go below to the night shift"\n'
        "        goto: night_deck\n"
        "nodes:\n"
        "  night_deck:\n"
        "    text: The stokers do not ask your name.\n"
        "    choices:\n"
        "      - text: Up again\n"
        "        goto: ch1_ship_evening\n"
    )
    result = load_story([STORY_DIR, layer])
    assert [w.message for w in result.warnings] == [
        "the choice layer 'night_shift' adds to node 'ch1_ship_deck' leaves 'gender' unset, though every other choice of the "
        'node sets it: a player who takes it goes on with what it held before (its default, "man", if nothing set it); '
        "set it here too, or on the way on"
    ]
    assert result.warnings[0].path == "night/night.yaml" and result.warnings[0].line == 4
    (layer / "night.yaml").write_text(
        (layer / "night.yaml").read_text().replace("        goto: night_deck\n", "        goto: night_deck\n        effects: 'gender = \"woman\"'\n")
    )
    assert [w.message for w in load_story([STORY_DIR, layer]).warnings] == []


# ---------------------------------------------------------------- `=-` inside routines

ROUTINE_NODES = """\
nodes:
  start:
    text: Hello
    choices:
      - text: Go
        goto: end
        effects: "a; b; c; d"
  end:
    text: Bye
    ending:
      title: Done
"""


def test_minus_equals_glued_is_warned_in_routines_of_every_form_and_file(make_story, tmp_path):
    manifest = (
        TINY_MANIFEST
        + "routines:\n"
        + '  a: "gold =- 1"\n'  # the string form
        + "  b:\n    - flag = true\n    - 'gold =- 2'\n"  # the list form
        + "  c: {effects: 'zero =- 1', label: the issue}\n"  # a mapping with effects
    )
    root = make_story({"nodes.yaml": ROUTINE_NODES, "state.yaml": "routines:\n  d:\n    effects: ['zero =- 3']\n"}, manifest=manifest)
    said = [w for w in warnings(load_story(root)) if "'=-'" in w]
    assert said == [
        "story/manifest.yaml:22:12: warning: in routine 'a': '=-' sets 'gold' to minus the value; did you mean '-='? "
        "(to set a negative value, write 'gold = -...')",
        "story/manifest.yaml:25:13: warning: in routine 'b': '=-' sets 'gold' to minus the value; did you mean '-='? "
        "(to set a negative value, write 'gold = -...')",
        "story/manifest.yaml:26:22: warning: in routine 'c': '=-' sets 'zero' to minus the value; did you mean '-='? "
        "(to set a negative value, write 'zero = -...')",
        "story/state.yaml:3:21: warning: in routine 'd': '=-' sets 'zero' to minus the value; did you mean '-='? "
        "(to set a negative value, write 'zero = -...')",
    ]


def test_minus_equals_glued_is_warned_in_a_layer_manifest_routine(make_story, tmp_path):
    root = make_story()
    layer = tmp_path / "over"
    layer.mkdir()
    (layer / "manifest.yaml").write_text("id: over\nextends: tiny\ntitle: Over\nroutines:\n  spend: 'gold =- 1'\n")
    (layer / "more.yaml").write_text("extend:\n  start:\n    choices:\n      - text: Spend\n        goto: end\n        effects: spend\n")
    said = [w for w in warnings(load_story([root, layer])) if "'=-'" in w]
    assert said == [
        "over/manifest.yaml:5:16: warning: in routine 'spend': '=-' sets 'gold' to minus the value; did you mean '-='? "
        "(to set a negative value, write 'gold = -...')"
    ]


def test_a_routine_with_a_wrong_effect_is_its_one_error_not_an_unknown_routine_where_it_runs(make_story):
    manifest = TINY_MANIFEST + "routines:\n  brew: 'leaves -= 1'\n  brew2: 'gold += 1'\n  look: 'flag = visited(\"start\")'\n"
    root = make_story({"nodes.yaml": ROUTINE_NODES.replace('"a; b; c; d"', '"brew; brew2; look"')}, manifest=manifest)
    # Not "unknown routine 'brew'; did you mean 'brew2'?" where the choice runs it.
    assert [p.split(": error: ")[1] for p in problems(load_story(root))] == [
        "in routine 'brew': unknown variable 'leaves'",
        "routine 'look' uses visited()/visits(); a routine runs anywhere, so give it only variables",
    ]


# ---------------------------------------------------------------- the same layer twice; a broken manifest

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


def test_the_same_layer_given_twice_is_said_once(make_story, tmp_path):
    root = make_story()
    layer = night_layer(tmp_path)
    assert problems(load_story([root, layer])) == []
    assert problems(load_story([root, layer, tmp_path / "night" / ".." / "night"])) == [
        "night:1:1: error: the same folder was given twice: give the story's folder, then each layer's, once"
    ]
    assert problems(load_story([root, root])) == [
        "story:1:1: error: the same folder was given twice: give the story's folder, then each layer's, once"
    ]


def test_a_copy_of_a_layer_in_another_folder_is_one_error(make_story, tmp_path):
    import shutil

    root = make_story()
    layer = night_layer(tmp_path)
    copy = shutil.copytree(layer, tmp_path / "night_copy")
    above = tmp_path / "above"
    above.mkdir()
    (above / "manifest.yaml").write_text("id: above\nextends: night_shift\ntitle: Above\n")
    (above / "above.yaml").write_text("extend:\n  night:\n    choices:\n      - text: Sleep\n        goto: nowhere\n")
    # Not each of the copy's declarations and nodes again as declared twice; the layer above it
    # names the id the first folder gave, so what is wrong there is still told.
    assert problems(load_story([root, layer, copy, above])) == [
        "above/above.yaml:5:15: error: choice 1 that layer 'above' adds to node 'night' goes to 'nowhere', which does not exist",
        "night_copy/manifest.yaml:1:5: error: the layer id 'night_shift' is used twice: already used at night/manifest.yaml:1:5",
    ]
    (copy / "night.yaml").write_text(NIGHT_NODES + "  broken: [\n")  # its own syntax is still read
    assert [p.split(": error: ")[0] for p in problems(load_story([root, layer, copy]))] == [
        "night_copy/manifest.yaml:1:5",
        "night_copy/night.yaml:17:1",
    ]


def test_a_tab_in_a_layer_manifest_is_its_one_error(make_story, tmp_path):
    root = make_story()
    layer = night_layer(tmp_path, NIGHT_MANIFEST.replace("    type: bool", "\ttype: bool"))
    # Not read as the story's files ("'extend' adds to the nodes of the story a layer is laid
    # over"), and nothing that uses its undeclared variable is reported after it.
    assert problems(load_story([root, layer])) == [
        "night/manifest.yaml:6:1: error: YAML syntax error: a tab character: indent with spaces (YAML does not allow tabs for indentation)"
    ]
    (layer / "night.yaml").write_text(NIGHT_NODES + "  broken: [\n")
    assert [p.split(": error: ")[0] for p in problems(load_story([root, layer]))] == ["night/manifest.yaml:6:1", "night/night.yaml:17:1"]


def test_after_a_broken_story_manifest_nothing_that_depends_on_it_is_reported(make_story):
    root = make_story({"nodes.yaml": TINY_NODES.replace("goto: end", "goto: end\n        effects: gold += 1")}, manifest=TINY_MANIFEST + "  x: [\n")
    assert [p.split(": error: ")[0] for p in problems(load_story(root))] == ["story/manifest.yaml:22:1"]


# ---------------------------------------------------------------- "did you mean" only for close names


def test_did_you_mean_offers_only_a_close_name():
    from kuzbass_game.engine.core.suggest import did_you_mean

    nodes = ["ch1_dining_hall", "ch1_ship_deck", "ch1_ship_evening", "the_stokehold_shift", "the_stokehold"]
    assert did_you_mean("ch1_night_cage", nodes) == ""  # an invented name: no unrelated one offered
    assert did_you_mean("ch1_ship_evning", nodes) == "; did you mean 'ch1_ship_evening'?"
    assert did_you_mean("the_stokehold_shfit", nodes) == "; did you mean 'the_stokehold_shift'?"
    assert did_you_mean("stokehold", nodes) == "; did you mean 'the_stokehold'?"
    assert did_you_mean("integer", ["int", "bool", "text"]) == "; did you mean 'int'?"
    assert did_you_mean("helth", ["health", "faith"]) == "; did you mean 'health'?"


def test_an_invented_node_of_a_layer_over_the_campaign_gets_no_unrelated_suggestion(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    layer = tmp_path / "cage"
    layer.mkdir()
    (layer / "manifest.yaml").write_text('id: cage\nextends: kuzbass\ntitle: "Cage"\n')
    (layer / "cage.yaml").write_text(
        "extend:\n  ch1_night_cage:\n    choices:\n      - text: Down\n        goto: ch1_ship_evning\n"
        "  ch1_ship_evening:\n    choices:\n      - text: Down\n        goto: ch1_night_cagee\n"
    )
    messages = sorted(d.message for d in load_story([STORY_DIR, layer]).errors)
    assert messages == [
        "choice 1 that layer 'cage' adds to node 'ch1_night_cage' goes to 'ch1_ship_evning', which does not exist; did you mean 'ch1_ship_evening'?",
        "choice 1 that layer 'cage' adds to node 'ch1_ship_evening' goes to 'ch1_night_cagee', which does not exist",
        "layer 'cage' extends node 'ch1_night_cage', which does not exist",
    ]


# ---------------------------------------------------------------- explore --json: per node, per entry, per layer


def test_explore_json_counts_each_node_each_codex_entry_and_each_layer(capsys, monkeypatch):
    import json

    from kuzbass_game import cli

    from conftest import REPO

    monkeypatch.chdir(REPO)
    assert cli.main(["explore", "docs/examples/ferry", "docs/examples/ferry_tea", "--runs", "60", "--seed", "2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    visits, runs = data["node_visits"], data["node_runs"]
    assert set(visits) == set(runs) == {*data["unvisited_nodes"], *(n for n, v in visits.items() if v)}
    assert all(runs[n] <= visits[n] for n in visits) and runs["bank"] == 60  # the start: every run, once at least
    assert set(data["choice_counts"]) >= set(data["untaken_choices"]) and all(data["choice_counts"][k] == 0 for k in data["untaken_choices"])
    assert set(data["codex_unlocks"]) == {"kipyatok", "kopek", "tom_ferry"} and all(0 < n <= 60 for n in data["codex_unlocks"].values())
    tea = data["layers"]["ferry_tea"]
    assert set(tea) == {"nodes", "choices", "votes", "codex"}
    assert tea["nodes"] == {"tea_hut": visits["tea_hut"]}
    assert set(tea["choices"]) == {"tea_hut#0", "waiting#6"}  # its node's choice, and the one it added below
    assert tea["choices"]["waiting#6"] == data["choice_counts"]["waiting#6"] > 0
    assert tea["codex"] == {"kipyatok": data["codex_unlocks"]["kipyatok"]} and tea["votes"] == {}
    # the same report from several processes
    assert cli.main(["explore", "docs/examples/ferry", "docs/examples/ferry_tea", "--runs", "60", "--seed", "2", "--json", "--jobs", "2"]) == 0
    assert json.loads(capsys.readouterr().out) == data


def test_explore_json_counts_a_layer_vote_and_its_additions_however_its_folder_is_named(tmp_path, monkeypatch, capsys):
    """A layer's vote is in its section; and what it added below and its codex entries stay there when
    the folder is named another way than on the load that filled the cache (relative, absolute, a link)."""
    import json
    import shutil

    from kuzbass_game import cli

    from conftest import FERRY_DIR, REPO

    hut = tmp_path / "hut"
    shutil.copytree(REPO / "docs" / "examples" / "ferry_tea", hut)
    (hut / "hut.yaml").write_text(
        (hut / "hut.yaml").read_text() + '      - text: "Ask the hut whether to cross"\n        goto: hut_vote\n'
        "  hut_vote:\n    text: The hut votes.\n    vote:\n      id: hut_says\n      question: That you cross\n"
        "      factions:\n        - name: The old women\n          size: 3\n          for: 50\n"
        "      outcomes:\n        passed: waiting\n        failed: waiting\n"
        "    choices:\n      - text: Say aye\n        ballot: for\n      - text: Say no\n        ballot: against\n"
    )
    (tmp_path / "link").symlink_to(hut, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    sections = []
    for named in ("hut", str(hut), "link", "../" + tmp_path.name + "/hut"):
        assert cli.main(["explore", str(FERRY_DIR), named, "--runs", "60", "--seed", "2", "--json"]) == 0
        sections.append(json.loads(capsys.readouterr().out)["layers"]["ferry_tea"])
    tea = sections[0]
    assert sum(tea["votes"]["hut_says"].values()) == tea["nodes"]["hut_vote"] > 0
    assert "waiting#6" in tea["choices"] and set(tea["codex"]) == {"kipyatok"}
    assert all(section == tea for section in sections[1:])


# ---------------------------------------------------------------- stable nodes


def test_the_campaign_marks_its_stable_nodes_and_check_tells_a_layer_of_any_other(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    layer = tmp_path / "porch"
    layer.mkdir()
    (layer / "manifest.yaml").write_text('id: porch\nextends: kuzbass\ntitle: "Porch"\n')
    (layer / "porch.yaml").write_text(
        "extend:\n  ch1_ship_evening:\n    choices:\n      - text: Out to the porch\n        goto: porch\n"
        "nodes:\n  porch:\n    text: Cold.\n    choices:\n      - text: In\n        goto: ch1_ship_evening\n"
        "      - text: To the office\n        goto: ch1_office_rats\n        if: 'visited(\"ch1_mothers\")'\n"
    )
    result = load_story([STORY_DIR, layer])
    assert result.errors == []
    tail = (
        "of the story, which the story does not keep stable: a later version may rename or remove it "
        "(the story's manifest lists the nodes a layer may rely on under 'stable')"
    )
    assert [d.format() for d in result.warnings] == [
        f"porch/porch.yaml:13:15: warning: layer 'porch' names node 'ch1_office_rats' {tail}",
        f"porch/porch.yaml:14:22: warning: layer 'porch' names node 'ch1_mothers' {tail}",
    ]


def test_a_stable_node_that_is_not_there_is_an_error(make_story):
    result = load_story(make_story(manifest=TINY_MANIFEST + "stable: [start, strat]\n"))
    assert problems(result) == ["story/manifest.yaml:21:17: error: the stable node 'strat' is not a node of the story; did you mean 'start'?"]


# ---------------------------------------------------------------- what the docs promise of layers


def test_a_layer_may_add_a_choice_to_an_input_node_shown_after_the_answer(tmp_path, monkeypatch):
    from kuzbass_game.engine.play.game import Game

    from conftest import FERRY_DIR

    monkeypatch.chdir(tmp_path)
    layer = tmp_path / "asked"
    layer.mkdir()
    (layer / "manifest.yaml").write_text('id: asked\nextends: ferry\ntitle: "Asked"\n')
    (layer / "asked.yaml").write_text(  # `bank` asks the player's name, then offers its choices
        "extend:\n  bank:\n    choices:\n      - text: Walk along the bank instead\n        goto: waiting\n"
        "        reply: The mud takes a boot and gives it back.\n"
    )
    result = load_story([FERRY_DIR, layer])
    assert problems(result) == []
    game = Game(result.story, seed=1)
    assert game.view().choices == () or game.view().input_prompt is not None  # the answer is asked first
    view = game.submit("Olga")
    assert view.choices[-1].text == "Walk along the bank instead"
    assert game.choose_number(len(view.choices)).reply == "The mud takes a boot and gives it back."


def test_a_layer_may_add_a_ballot_or_a_way_out_to_a_vote_below(tmp_path, monkeypatch):

    from conftest import FERRY_DIR

    monkeypatch.chdir(tmp_path)
    vote_node = next(n.id for n in load_story(FERRY_DIR).story.nodes.values() if n.vote is not None)
    layer = tmp_path / "hall"
    layer.mkdir()
    (layer / "manifest.yaml").write_text('id: hall\nextends: ferry\ntitle: "Hall"\n')
    (layer / "hall.yaml").write_text(
        f"extend:\n  {vote_node}:\n    choices:\n      - text: Slip out\n        goto: waiting\n"
        "      - text: Shout aye from the back\n        ballot: for\n        reply: Heads turn.\n"
    )
    result = load_story([FERRY_DIR, layer])
    assert problems(result) == []
    choices = result.story.nodes[vote_node].choices
    assert [c.ballot for c in choices[-2:]] == [None, "for"]
    (layer / "hall.yaml").write_text("extend:\n  waiting:\n    choices:\n      - text: Shout aye\n        ballot: for\n")
    assert [d.format() for d in load_story([FERRY_DIR, layer]).errors] == [
        "hall/hall.yaml:4:9: error: layer 'hall' adds a ballot to node 'waiting', which holds no vote"
    ]


# ---------------------------------------------------------------- a save made with a layer that is not loaded now


def test_a_save_whose_layer_is_missing_names_its_title_and_folder_and_lists_its_real_turn_and_time(make_story, tmp_path):
    import json
    import os

    from kuzbass_game.commands.saves import listing
    from kuzbass_game.engine.play.game import Game
    from kuzbass_game.engine.storage.save_format import decode, verify
    from kuzbass_game.engine.storage.save_store import SaveStore

    root = make_story({"nodes.yaml": TINY_NODES.replace("    text: Hello\n", "    chapter: The Start\n    text: Hello\n")})
    layer = night_layer(tmp_path)
    layered = load_story([root, layer]).story
    assert layered.layer_titles == {"night_shift": "The night shift"} and layered.layer_folders == (os.path.abspath(layer),)
    game = Game(layered, seed=1)
    game.choose_number(2)  # the layer's choice: into its night
    saves = tmp_path / "saves"
    SaveStore(saves, layered).save(game, "before the night", 95.0)
    (slot,) = saves.glob("*.json")
    alone = load_story(root).story
    (info,) = [i for group in SaveStore(saves, alone).games() for i in group.slots]
    said = (
        "the save was made with the layer 'night_shift' (\"The night shift\") over the story, which is not loaded now: "
        f"load it from its folder after the story's: --story {os.path.abspath(layer)}"
    )
    assert info.problem == said
    assert (info.turn, info.kind, info.chapter) == (1, "manual", "The Start") and info.saved_at is not None
    assert verify(slot.read_bytes(), alone) == ("other", f"not checked: {said}")
    lines = listing(SaveStore(saves, alone).games(), saves, 80)
    assert all(len(line) <= 80 for line in lines) and len(lines) <= 10
    text = " ".join(" ".join(lines).split())
    assert "before the night (manual), saved " in text and "at an unknown time" not in text
    assert "The Start; turn 1; played 1 min" in text and "Cannot load: the save was made with the layer 'night_shift'" in text
    # A save from before titles and folders were kept (or with forged ones) still names its layer.
    forged = json.loads(slot.read_text())
    forged["story"].pop("layer_titles")
    forged["story"]["layer_folders"] = {"night_shift": 5, "z": ["x"]}
    decoded = decode(json.dumps(forged).encode())
    assert decoded.layer_titles == {} and decoded.layer_folders == {}


# ---------------------------------------------------------------- play takes its folders as check and explore do


def test_play_takes_the_story_and_its_layers_as_positional_folders_like_check_and_explore(tmp_path):
    import subprocess
    import sys

    from conftest import REPO

    def play(*folders: str) -> str:
        argv = [sys.executable, "-m", "kuzbass_game", "play", "--plain", "--seed", "1", "--saves", str(tmp_path / "saves"), *folders]
        done = subprocess.run(argv, cwd=REPO, input="Olga\n1\n", capture_output=True, text=True, timeout=120)
        assert "Traceback" not in done.stderr, done.stderr
        return done.stdout

    positional = play("docs/examples/ferry", "docs/examples/ferry_tea")
    assert "Warm yourself in the tea hut on the landing" in positional
    assert play("--story", "docs/examples/ferry", "--story", "docs/examples/ferry_tea") == positional


# ---------------------------------------------------------------- the docs say what an outside author had to guess

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


def test_explore_table_gives_each_layer_a_line(capsys, monkeypatch):
    from kuzbass_game import cli

    from conftest import REPO

    monkeypatch.chdir(REPO)
    cli.main(["explore", "docs/examples/ferry", "docs/examples/ferry_tea", "--runs", "60", "--seed", "2"])
    assert "layer ferry_tea: its nodes visited 1/1, choices taken 2/2, codex 1/1" in capsys.readouterr().out
