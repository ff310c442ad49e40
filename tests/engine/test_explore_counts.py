"""What explore counts (issue 19): `--json` per node, per codex entry and per layer (a layer's vote
and additions in its own section, however its folder is named), and the table's line per layer."""

from __future__ import annotations


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


def test_explore_table_gives_each_layer_a_line(capsys, monkeypatch):
    from kuzbass_game import cli

    from conftest import REPO

    monkeypatch.chdir(REPO)
    cli.main(["explore", "docs/examples/ferry", "docs/examples/ferry_tea", "--runs", "60", "--seed", "2"])
    assert "layer ferry_tea: its nodes visited 1/1, choices taken 2/2, codex 1/1" in capsys.readouterr().out
