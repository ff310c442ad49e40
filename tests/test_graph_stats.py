"""`kuzbass graph` and `kuzbass stats`: the story as a graph (DOT, Mermaid, SVG, PNG) and as figures."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from kuzbass_game.authoring import load_and_check
from kuzbass_game.cli import main
from kuzbass_game.engine.tools.graph import build_graph, chapters_of, dot_string, mermaid_text, to_dot, to_mermaid
from kuzbass_game.engine.tools.stats import node_words, story_stats, words

from conftest import REPO, TINY_MANIFEST


# Ids with '.' and '-', titles and chapters with quotes, brackets, backslashes and Mermaid's specials.
ODD_NODES = r"""
nodes:
  start:
    chapter: 'The "First" Part \[draft]'
    text: Hello
    choices:
      - text: Go on
        goto: mid.way-1
      - text: Pay
        goto: end-2
        if: "gold > 3"
        locked: "Too poor."
      - text: Gamble
        random:
          - goto: end.1
            weight: 3
          - goto: end-2
  mid.way-1:
    text: Middle
    choices:
      - text: Onward
        goto: later
  later:
    chapter: "Part #2 | 100% <real> & `true`"
    text: Later
    choices:
      - text: End
        goto: end.1
  end.1:
    text: Bye
    ending:
      title: 'A "quoted" \[bracketed] end \ with a backslash'
  end-2:
    text: Bye
    ending:
      title: "Plain"
"""


@pytest.fixture
def odd_story(make_story):
    root = make_story({"nodes.yaml": ODD_NODES})
    result = load_and_check(root)
    assert result.story is not None, [d.format() for d in result.diagnostics]
    return result.story


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


# ---------------------------------------------------------------- the graph


def test_chapters_are_inherited_along_the_shortest_path(odd_story):
    chapters = chapters_of(odd_story)
    assert chapters["start"] == 'The "First" Part [draft]'
    assert chapters["mid.way-1"] == 'The "First" Part [draft]'  # sets none: its parent's
    assert chapters["later"] == "Part #2 | 100% <real> & `true`"  # sets its own
    # end.1 is reached from start (1 choice) before later (3): it belongs to the first part
    assert chapters["end.1"] == 'The "First" Part [draft]'


def test_a_node_with_no_chapter_before_any_chapter(make_story):
    story = load_and_check(make_story()).story
    assert chapters_of(story) == {"start": None, "end": None}
    assert '"(no chapter)"' in to_dot(build_graph(story))


def test_dot_marks_endings_conditions_random_outcomes_and_votes(ferry_story):
    dot = to_dot(build_graph(ferry_story))
    assert 'subgraph "cluster_0" {\n    label="The Ferry";' in dot
    assert '"far_bank" [label="far_bank\\n“Across the Tom”", peripheries=2' in dot
    assert '"bank" [label="bank", shape=parallelogram, style="rounded,bold"];' in dot  # the start, asking for input
    assert '"landing_vote" [label="landing_vote\\nvote: That the ferry crosses now, in the wind", shape=hexagon' in dot
    assert '"bank" -> "waiting" [label="1"];' in dot
    assert '"waiting" -> "crossing" [label="1 if kopeks >= 2", style=dashed];' in dot
    assert '"waiting" -> "crossing" [label="2 if has_tobacco (once)", style=dashed];' in dot
    assert '"crossing" -> "far_bank" [label="1 (3/4)", style=dotted];' in dot
    assert '"crossing" -> "soaked" [label="1 (1/4, if)", style=dotted];' in dot
    assert '"landing_vote" -> "crossing" [label="passed", style=bold' in dot
    assert '"landing_vote" -> "waiting_out" [label="failed", style=bold' in dot
    assert "Vote to cross" not in dot  # ballots lead where the vote's outcome does: no edge of their own


def test_dot_escapes_ids_and_titles(odd_story):
    dot = to_dot(build_graph(odd_story))
    assert '"mid.way-1" -> "later" [label="1"];' in dot
    assert 'label="The \\"First\\" Part [draft]";' in dot
    assert '"end.1" [label="end.1\\n“A \\"quoted\\" [bracketed] end \\\\ with a backslash”"' in dot
    assert dot_string('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'


@pytest.mark.parametrize("story_name", ["odd", "ferry"])
def test_graphviz_reads_the_dot(graphviz, odd_story, ferry_story, story_name):
    story = odd_story if story_name == "odd" else ferry_story
    done = subprocess.run(["dot", "-Tsvg"], input=to_dot(build_graph(story)), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    # every node's label made it through the escaping
    for node_id in story.nodes:
        assert node_id.replace("-", "&#45;") in done.stdout


MERMAID_NODE = re.compile(r'^ {2,4}n\d+_[A-Za-z0-9_]+(\["[^"]*"\]|\(\["[^"]*"\]\)|\{\{"[^"]*"\}\}|\[/"[^"]*"/\])$')
MERMAID_EDGE = re.compile(r'^  n\d+_[A-Za-z0-9_]+ (-->|-\.->|==>)\|"[^"|]*"\| n\d+_[A-Za-z0-9_]+$')


def _mermaid_lines_are_well_formed(text: str) -> None:
    lines = text.splitlines()
    assert lines[:4] == ["---", lines[1], "---", "flowchart LR"]
    for line in lines[4:]:
        if line.strip().startswith(("%%", "subgraph", "end", "linkStyle", "classDef", "class ")):
            if line.strip().startswith("subgraph"):
                assert re.fullmatch(r'  subgraph c\d+\["[^"]*"\]', line), line
            continue
        assert MERMAID_NODE.match(line) or MERMAID_EDGE.match(line), line


def test_mermaid_ids_are_safe_and_labels_escaped(odd_story, ferry_story):
    text = to_mermaid(build_graph(odd_story))
    _mermaid_lines_are_well_formed(text)
    _mermaid_lines_are_well_formed(to_mermaid(build_graph(ferry_story)))
    assert 'subgraph c0["The #quot;First#quot; Part [draft]"]' in text
    assert 'subgraph c1["Part #35;2 #124; 100#37; #lt;real#gt; #amp; #96;true#96;"]' in text
    assert re.search(r'n\d+_mid_way_1\["mid\.way-1"\]', text)
    assert "A #quot;quoted#quot; [bracketed] end #92; with a backslash" in text
    assert re.search(r"n\d+_end_1 ", text) and not re.search(r"^\s+end\[", text, re.M)  # 'end' is a Mermaid keyword
    assert mermaid_text('a"b\nc') == "a#quot;b<br/>c"
    assert "linkStyle" in text  # the random outcomes drawn apart


def test_mermaid_marks_votes_endings_and_the_start(ferry_story):
    text = to_mermaid(build_graph(ferry_story))
    assert re.search(r'n\d+_landing_vote ==>\|"passed"\| n\d+_crossing', text)
    assert re.search(r'n\d+_waiting -\.->\|"1 if kopeks #gt;= 2"\| n\d+_crossing', text)
    assert re.search(r'n\d+_far_bank\(\["far_bank<br/>“Across the Tom”"\]\)', text)
    assert "classDef ending" in text and "classDef start" in text


def test_graph_command_dot_and_mermaid(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    code, out, err = run_cli(capsys, "graph", "docs/examples/ferry")
    assert code == 0 and err == "" and out.startswith("// The Ferry on the Tom") and "digraph" in out
    code, out, err = run_cli(capsys, "graph", "docs/examples/ferry", "--format", "mermaid")
    assert code == 0 and "flowchart LR" in out


def test_graph_of_one_chapter_with_stubs_for_the_nodes_outside(capsys, make_story):
    make_story({"nodes.yaml": ODD_NODES})
    code, out, err = run_cli(capsys, "graph", "story", "--chapter", "part #2")
    assert code == 0, err
    assert 'subgraph "cluster_0" {\n    label="Part #2 | 100% <real> & `true`";' in out
    assert '"later" [label="later"' in out
    # the nodes it comes from and goes to, outside the chapter, as dashed stubs labelled with their chapter
    assert '"mid.way-1" [label="mid.way-1\\n(The \\"First\\" Part [draft])"' in out and "dashed" in out
    assert '"end-2"' not in out and '"start"' not in out
    code, out, err = run_cli(capsys, "graph", "story", "--chapter", "2")  # by number
    assert code == 0 and '"later"' in out
    code, out, err = run_cli(capsys, "graph", "story", "--chapter", "nowhere")
    assert code == 1 and out == ""
    assert err == "kuzbass graph: no chapter is called 'nowhere'; the chapters are: The \"First\" Part [draft]; Part #2 | 100% <real> & `true`\n"


def test_graph_svg_without_graphviz_says_so(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    code, out, err = run_cli(capsys, "graph", "docs/examples/ferry", "--format", "svg")
    assert code == 1 and out == ""
    assert err.startswith("Graphviz's 'dot' program is not installed (or not on PATH), so --format svg cannot be drawn here.")
    assert "apt install graphviz" in err and "--format dot" in err


def test_graph_svg_and_png_with_graphviz(graphviz, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(REPO)
    code, out, err = run_cli(capsys, "graph", "docs/examples/ferry", "--format", "svg")
    assert code == 0 and err == "" and "<svg" in out and "Across the Tom" in out
    png = tmp_path / "ferry.png"
    code, out, err = run_cli(capsys, "graph", "docs/examples/ferry", "--format", "png", "-o", str(png))
    assert code == 0 and err == "" and out == ""
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_graph_refuses_a_broken_story(capsys, make_story):
    make_story({"nodes.yaml": "nodes:\n  start:\n    text: Hi\n    choices:\n      - text: Go\n        goto: nowhere\n"})
    code, out, err = run_cli(capsys, "graph", "story")
    assert code == 1 and out == ""
    assert err.splitlines()[-1] == "story: the story has errors; run 'kuzbass check' first"


# ---------------------------------------------------------------- stats

BRANCHING = """
nodes:
  start:
    chapter: One
    text: "Hello [b]there[/b], {name}."
    choices:
      - text: Short way
        goto: end
      - text: Long way
        goto: a
        reply: "You take the long way."
  a:
    text: One two three.
    choices:
      - text: Onward
        goto: b
  b:
    chapter: Two
    text: Four five.
    choices:
      - text: Finish
        goto: end
        if: "gold > 0"
        locked: "No gold."
      - text: Other
        goto: other
  end:
    text: Bye
    ending:
      title: "The End"
  other:
    text: Also bye
    ending:
      title: "Other End"
"""


def test_words_leave_out_markup_and_count_a_value_as_one():
    assert words("Hello [b]there[/b], friend") == 3
    assert words("Wait \u2014 what \u2026 now?") == 3
    assert words(None) == 0


def test_stats_of_a_story_without_loops_are_exact(make_story):
    story = load_and_check(make_story({"nodes.yaml": BRANCHING}, manifest=TINY_MANIFEST)).story
    assert node_words(story.nodes["start"]) == 3 + 2 + 2 + 5  # text ({name} is a word, "." is not), two choices, the reply
    stats = story_stats(story, runs=50, seed=1)
    data = stats.to_json()
    assert data["total"] == {"words": 12 + 4 + 6 + 3 + 4, "nodes": 5, "choices": 5, "endings": 2}
    assert data["files"] == {"nodes.yaml": data["total"]}
    assert list(data["chapters"]) == ["One", "Two"]
    assert data["chapters"]["One"]["nodes"] == 3  # start, a (inherits), end (reached first from start)
    assert data["chapters"]["Two"] == {"words": 6 + 4, "nodes": 2, "choices": 2, "endings": 1}
    assert data["loops"] is False
    endings = {e["id"]: e for e in data["endings"]}
    assert endings["end"]["shortest"] == 1 and endings["end"]["longest"] == 3 and endings["end"]["longest_how"] == "exact"
    assert endings["other"]["shortest"] == 3 and endings["other"]["longest"] == 3
    assert sum(e["reached"] for e in data["endings"]) == 50
    assert 0 < data["playthroughs"]["seen_share"] <= 1


def test_stats_of_a_story_with_loops_say_the_longest_is_observed(ferry_story):
    data = story_stats(ferry_story, runs=100, seed=2).to_json()
    assert data["loops"] is True
    endings = {e["id"]: e for e in data["endings"]}
    assert endings["walk_home"]["shortest"] == 2 and endings["far_bank"]["shortest"] == 3
    assert all(e["longest_how"] == "observed" for e in data["endings"])
    assert endings["far_bank"]["longest"] >= 3
    assert data["total"]["nodes"] == 8 and data["total"]["endings"] == 2 and data["total"]["choices"] == 14
    assert sum(t["words"] for t in data["files"].values()) == data["total"]["words"]
    assert data["codex_words"] > 0
    share = data["playthroughs"]["seen_share"]
    assert 0.3 < share < 1
    assert data == story_stats(ferry_story, runs=100, seed=2).to_json()  # deterministic for a seed


def test_stats_command_table_fits_80_columns(capsys, make_story, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    long_folder = "a_folder_with_a_rather_long_name/and_another_one_inside_it_for_good_measure"
    make_story({f"{long_folder}/the_scenes_of_the_first_part.yaml": BRANCHING}, manifest=TINY_MANIFEST)
    code, out, err = run_cli(capsys, "stats", "story")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80, [line for line in lines if len(line) > 80]
    assert lines[0] == "tiny: 29 words in 5 nodes (5 choices, 2 endings); codex 0 words"
    assert any(line.startswith("…") and line.split()[0].endswith("the_scenes_of_the_first_part.yaml") for line in lines)
    assert any(line.startswith("The End [end]") for line in lines)
    assert "  longest: exact (no path from the start passes a node twice)" in lines
    assert any(line.startswith("A playthrough sees ") for line in lines)


def test_stats_command_json(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    code, out, err = run_cli(capsys, "stats", "docs/examples/ferry", "--json", "--runs", "30")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert set(data) == {"story", "total", "codex_words", "files", "chapters", "endings", "playthroughs", "loops"}
    assert data["playthroughs"]["runs"] == 30 and data["story"] == "ferry"


def test_a_layers_additions_are_drawn_in_blue(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    code, out, err = run_cli(capsys, "graph", "docs/examples/ferry", "docs/examples/ferry_tea")
    assert code == 0, err
    assert "// Blue: what a layer added" in out
    assert '"tea_hut" [label="tea_hut\\n+ ferry_tea", fillcolor="#e3f2fd", color="#1565c0", style="rounded,filled"];' in out
    assert re.search(r'"waiting" -> "tea_hut" \[label="\d+ if not drank_tea", style=dashed, color="#1565c0"', out)
    assert '"bank" -> "waiting" [label="1"];' in out  # the story's own edges as before
    code, out, err = run_cli(capsys, "graph", "docs/examples/ferry", "docs/examples/ferry_tea", "--format", "mermaid")
    assert code == 0 and "classDef layer" in out and re.search(r"linkStyle \d+ stroke:#1565c0", out)
    code, out, err = run_cli(capsys, "graph", "docs/examples/ferry")
    assert "Blue" not in out and "1565c0" not in out


def test_stats_over_a_story_and_its_layer(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    code, out, err = run_cli(capsys, "stats", "docs/examples/ferry", "docs/examples/ferry_tea", "--json", "--runs", "20")
    assert code == 0, err
    data = json.loads(out)
    assert data["total"]["nodes"] == 9
    assert any(path.endswith("ferry_tea/hut.yaml") for path in data["files"])


def test_an_otherwise_choice_is_labelled_so(make_story):
    nodes = """
nodes:
  start:
    text: Hi
    choices:
      - text: Trust
        if: "gold >= 3"
        goto: end
      - text: Keep
        otherwise: true
        goto: other
  end:
    text: Bye
    ending: {title: A}
  other:
    text: Bye
    ending: {title: B}
"""
    story = load_and_check(make_story({"nodes.yaml": nodes})).story
    dot = to_dot(build_graph(story))
    assert '"start" -> "end" [label="1 if gold >= 3", style=dashed];' in dot
    assert '"start" -> "other" [label="2 otherwise", style=dashed];' in dot


def test_stats_and_graph_take_story_as_every_verb_does(capsys):
    """`--story DIR` is the same as the folder after the verb (issue 22: they took only the folder)."""
    ferry = str(REPO / "docs" / "examples" / "ferry")
    for verb, extra in (("stats", []), ("graph", ["--format", "mermaid"])):
        assert main([verb, "--story", ferry, *extra]) == 0
        by_option = capsys.readouterr().out
        assert main([verb, ferry, *extra]) == 0
        assert by_option == capsys.readouterr().out and by_option
    assert main(["stats", "--story", ferry]) == 0 and capsys.readouterr().out.startswith("ferry: ")
