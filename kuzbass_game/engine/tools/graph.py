"""The story as a graph, for `kuzbass graph`: a description built from a `Story`, and its text
in Graphviz DOT or Mermaid. Pure: no Textual, no Rich, no Graphviz (the command runs `dot`).

Chapters. A node belongs to the chapter it sets (`chapter:`). A node that sets none belongs to
the chapter in effect when a player first reaches it by the fewest choices: the chapter of the
node from which a breadth-first walk from the start first reaches it (the walk takes nodes in
the order they were met, and each node's choices, random branches and vote outcomes in the
order they are written). Nodes before any chapter, and nodes no path reaches, have no chapter.

Edges. One per way a choice can lead: a plain `goto` (solid), a choice behind an `if` or an
`otherwise` (dashed: it can be locked or hidden), each outcome of `random` (dotted, labelled
with its weight out of the choice's total), and each outcome of a vote (bold, labelled passed,
failed or tied). Every choice edge is labelled with the choice's place in its node (the number a player
presses when every choice is shown).

Layers. What a layer added is drawn in blue: its own nodes (labelled "+ layer"), and the choices
it added to nodes below it (a choice written in another file than its node, of a node the story
says was extended).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from kuzbass_game.engine.core.text import strip_markup
from kuzbass_game.engine.core.model import Choice, Node, Story

MAX_CONDITION = 28  # characters of a condition shown on an edge
LAYER_FILL, LAYER_COLOUR = "#e3f2fd", "#1565c0"  # what a layer added, over the story below it
NO_CHAPTER = "(no chapter)"


@dataclass(frozen=True)
class GraphNode:
    id: str
    chapter: str | None  # the chapter it belongs to (plain text), by the rule above
    sets_chapter: bool  # whether it sets the chapter itself
    start: bool = False
    ending: str | None = None  # the ending's title (plain text), for an ending
    vote: str | None = None  # the vote's question (plain text), for a node that holds one
    input: bool = False  # asks the player to type
    outside: bool = False  # not in the chapter asked for: drawn as a stub for the edges that cross
    layer: str | None = None  # the layer that added the node (None: the story's own)


@dataclass(frozen=True)
class GraphEdge:
    source: str
    target: str
    kind: str  # goto | random | vote
    label: str
    locked: bool = False  # behind a condition (the choice's own, or an `otherwise`)
    choice: int | None = None  # the choice's index in its node (None: a vote's outcome)
    layer: str | None = None  # the layer that added the choice to a node below it


@dataclass
class StoryGraph:
    title: str
    start: str
    nodes: list[GraphNode] = field(default_factory=list)
    edges: list[GraphEdge] = field(default_factory=list)

    def chapters(self) -> list[str | None]:
        """The chapters, in the order a breadth-first walk from the start meets them."""
        seen: dict[str | None, None] = {}
        for node in self.nodes:
            if not node.outside:
                seen.setdefault(node.chapter, None)
        return list(seen)


def _plain(text: str) -> str:
    return " ".join(strip_markup(text).split())


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def node_edges(node: Node, added_by: tuple[str, ...] = ()) -> list[GraphEdge]:
    """The edges leaving a node, in the order they are written. `added_by`: the layers that
    extended the node (a choice written in another file than its node was added by one)."""
    edges: list[GraphEdge] = []
    for choice in node.choices:
        layer = None
        if added_by and choice.mark is not None and node.mark is not None and choice.mark.path != node.mark.path:
            layer = added_by[0] if len(added_by) == 1 else "/".join(added_by)
        number = str(choice.index + 1)
        condition = choice.condition
        if condition is not None and condition.constant is False:
            continue  # never open: check warns about it; the graph leaves it out, as the checker's walk does
        locked = condition is not None
        label = number
        if condition is not None:
            shown = "otherwise" if _is_otherwise(node, choice) else "if " + " ".join(condition.source.split())
            label = f"{number} {_clip(shown, MAX_CONDITION)}"
        if choice.once:
            label += " (once)"
        if choice.ballot is not None:
            continue  # a ballot leads wherever the vote's outcome does: the vote's edges show it
        if choice.target is not None:
            edges.append(GraphEdge(node.id, choice.target, "goto", label, locked, choice.index, layer))
            continue
        total = sum(b.weight for b in choice.branches)
        for branch in choice.branches:
            if branch.condition is not None and branch.condition.constant is False:
                continue
            branch_label = f"{label} ({branch.weight}/{total}{', if' if branch.condition is not None else ''})"
            edges.append(GraphEdge(node.id, branch.target, "random", branch_label, locked, choice.index, layer))
    if node.vote is not None:
        for outcome, target in node.vote.outcomes.items():
            edges.append(GraphEdge(node.id, target, "vote", outcome))
    return edges


def _is_otherwise(node: Node, choice: Choice) -> bool:
    """Whether the choice's condition is the one an `otherwise: true` stands for: that none of
    its siblings' conditions holds (as the compiler writes it; `once` siblings are not counted)."""
    others = [c.condition.source for c in node.choices if c is not choice and not c.once and c.condition is not None]
    return bool(others) and choice.condition is not None and choice.condition.source == "not (" + " or ".join(f"({s})" for s in others) + ")"


def chapters_of(story: Story) -> dict[str, str | None]:
    """Each node's chapter (plain text), by the rule in this module's docstring."""
    nodes = story.nodes
    result: dict[str, str | None] = {}
    if story.start in nodes:
        first = nodes[story.start]
        result[story.start] = _plain(first.chapter) if first.chapter else None
        queue = deque([story.start])
        while queue:  # bounded: each node enters the queue once
            node_id = queue.popleft()
            for edge in node_edges(nodes[node_id]):
                target = edge.target
                if target in result or target not in nodes:
                    continue
                own = nodes[target].chapter
                result[target] = _plain(own) if own else result[node_id]
                queue.append(target)
    for node_id, node in nodes.items():  # what no path reaches (a story with errors)
        if node_id not in result:
            result[node_id] = _plain(node.chapter) if node.chapter else None
    return result


class ChapterNotFound(ValueError):
    def __init__(self, asked: str, chapters: list[str], matches: list[str]) -> None:
        self.asked, self.chapters, self.matches = asked, chapters, matches
        if matches:
            message = f"'{asked}' matches several chapters: " + "; ".join(matches)
        else:
            message = f"no chapter is called '{asked}'; the chapters are: " + "; ".join(chapters or ["(none)"])
        super().__init__(message)


def find_chapter(story: Story, asked: str) -> str | None:
    """The chapter `asked` names: its title (any case), a part of its title, or its number in
    the order the story meets them (1, 2, ...). Raises ChapterNotFound."""
    order: dict[str | None, None] = {}
    for chapter in chapters_of(story).values():
        order.setdefault(chapter, None)
    named = [c for c in order if c is not None]
    wanted = asked.strip().casefold()
    if wanted in (NO_CHAPTER.casefold(), "none", "") and None in order:
        return None
    exact = [c for c in named if c.casefold() == wanted]
    if exact:
        return exact[0]
    if wanted.isdecimal() and 1 <= int(wanted) <= len(named):
        return named[int(wanted) - 1]
    partial = [c for c in named if wanted in c.casefold()]
    if len(partial) == 1:
        return partial[0]
    raise ChapterNotFound(asked, named, partial)


def build_graph(story: Story, chapter: str | None = None, *, only_chapter: bool = False) -> StoryGraph:
    """The story's graph; with `only_chapter`, the nodes of `chapter` (None: the nodes with no
    chapter) and, as stubs, the nodes outside it that its edges come from or go to."""
    chapters = chapters_of(story)
    order = _walk_order(story)
    extended = getattr(story, "extended", {}) or {}
    node_layer = getattr(story, "node_layer", {}) or {}
    edges_by_node = {node_id: node_edges(story.nodes[node_id], tuple(extended.get(node_id, ()))) for node_id in order}
    inside = set(order) if not only_chapter else {n for n in order if chapters[n] == chapter}
    edges = [e for n in order for e in edges_by_node[n] if e.target in story.nodes and (e.source in inside or e.target in inside)]
    touched = inside | {e.source for e in edges} | {e.target for e in edges}
    graph = StoryGraph(_plain(story.title), story.start)
    for node_id in order:
        if node_id not in touched:
            continue
        node = story.nodes[node_id]
        graph.nodes.append(
            GraphNode(
                node_id,
                chapters[node_id],
                node.chapter is not None,
                node_id == story.start,
                _plain(node.ending.title) if node.ending is not None else None,
                _plain(node.vote.question) if node.vote is not None else None,
                node.input is not None,
                node_id not in inside,
                node_layer.get(node_id),
            )
        )
    graph.edges = edges
    return graph


def _walk_order(story: Story) -> list[str]:
    """Node ids in breadth-first order from the start, then any others in the story's order."""
    nodes = story.nodes
    seen: dict[str, None] = {}
    if story.start in nodes:
        seen[story.start] = None
        queue = deque([story.start])
        while queue:
            for edge in node_edges(nodes[queue.popleft()]):
                if edge.target in nodes and edge.target not in seen:
                    seen[edge.target] = None
                    queue.append(edge.target)
    for node_id in nodes:
        seen.setdefault(node_id, None)
    return list(seen)


def _has_layers(graph: StoryGraph) -> bool:
    return any(n.layer is not None for n in graph.nodes) or any(e.layer is not None for e in graph.edges)


# ---------------------------------------------------------------- DOT


def dot_string(text: str) -> str:
    """`text` as a DOT quoted string: backslashes and quotes escaped, line breaks as `\\n`."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n")
    return f'"{escaped}"'


def _label(node: GraphNode) -> str:
    lines = [node.id]
    if node.ending is not None:
        lines.append(f"“{node.ending}”")
    if node.vote is not None:
        lines.append(f"vote: {_clip(node.vote, 40)}")
    if node.outside:
        lines.append(f"({node.chapter or NO_CHAPTER})")
    if node.layer is not None:
        lines.append(f"+ {node.layer}")
    return "\n".join(lines)


def to_dot(graph: StoryGraph) -> str:
    out = [
        f"// {graph.title}: drawn by 'kuzbass graph'. Edges: solid, always open; dashed, behind a condition;",
        "// dotted, a random outcome (weight/total); bold, a vote's outcome. Double border: an ending.",
        *(["// Blue: what a layer added (its nodes, and the choices it added to nodes below it)."] if _has_layers(graph) else []),
        f"digraph {dot_string(graph.title)} {{",
        f'  graph [rankdir=LR, label={dot_string(graph.title)}, labelloc=t, fontname="Helvetica"];',
        '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]

    def node_line(node: GraphNode, indent: str) -> str:
        attrs = [f"label={dot_string(_label(node))}"]
        styles = ["rounded"]
        if node.ending is not None:
            attrs.append("peripheries=2")
            styles.append("filled")
            attrs.append('fillcolor="#eeeeee"')
        if node.vote is not None:
            attrs.append("shape=hexagon")
        elif node.input:
            attrs.append("shape=parallelogram")
        if node.start:
            styles.append("bold")
        if node.outside:
            styles.append("dashed")
            attrs.append('color="#999999"')
            attrs.append('fontcolor="#666666"')
        elif node.layer is not None:
            if "filled" not in styles:
                styles.append("filled")
            attrs = [a for a in attrs if not a.startswith("fillcolor=")]
            attrs.append(f'fillcolor="{LAYER_FILL}"')
            attrs.append(f'color="{LAYER_COLOUR}"')
        attrs.append(f"style={dot_string(','.join(styles))}")
        return f"{indent}{dot_string(node.id)} [{', '.join(attrs)}];"

    inside = [n for n in graph.nodes if not n.outside]
    for number, chapter in enumerate(graph.chapters()):
        members = [n for n in inside if n.chapter == chapter]
        out.append(f"  subgraph {dot_string(f'cluster_{number}')} {{")
        out.append(f"    label={dot_string(chapter or NO_CHAPTER)};")
        out.append('    style=rounded; color="#bbbbbb";')
        out.extend(node_line(n, "    ") for n in members)
        out.append("  }")
    out.extend(node_line(n, "  ") for n in graph.nodes if n.outside)
    for edge in graph.edges:
        attrs = [f"label={dot_string(edge.label)}"]
        if edge.kind == "vote":
            attrs.append("style=bold")
            attrs.append({"passed": 'color="#2e7d32"', "failed": 'color="#c62828"'}.get(edge.label, 'color="#6a1b9a"'))
        elif edge.kind == "random":
            attrs.append("style=dotted")
        elif edge.locked:
            attrs.append("style=dashed")
        if edge.layer is not None:
            attrs.append(f'color="{LAYER_COLOUR}"')
            attrs.append(f'fontcolor="{LAYER_COLOUR}"')
        out.append(f"  {dot_string(edge.source)} -> {dot_string(edge.target)} [{', '.join(attrs)}];")
    out.append("}")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- Mermaid

_MERMAID_ENTITIES = {'"': "#quot;", "#": "#35;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "|": "#124;", "`": "#96;", "%": "#37;", "\\": "#92;"}


def mermaid_text(text: str) -> str:
    """`text` for a quoted Mermaid label: special characters as Mermaid's entity codes, line breaks as <br/>."""
    lines = text.replace("\r", "").split("\n")
    return "<br/>".join("".join(_MERMAID_ENTITIES.get(ch, ch) for ch in line) for line in lines)


def mermaid_ids(graph: StoryGraph) -> dict[str, str]:
    """Node id -> a Mermaid id: letters, digits and '_' only, unique, never a keyword such as `end`."""
    ids: dict[str, str] = {}
    for number, node in enumerate(graph.nodes):
        safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch == "_") else "_" for ch in node.id)
        ids[node.id] = f"n{number}_{safe}"
    return ids


def to_mermaid(graph: StoryGraph) -> str:
    ids = mermaid_ids(graph)
    out = [
        "---",
        f"title: {dot_string(graph.title)}",
        "---",
        "flowchart LR",
        "  %% drawn by 'kuzbass graph'. Edges: solid, always open; dashed, behind a condition;",
        "  %% dotted and grey, a random outcome (weight/total); thick, a vote's outcome"
        + ("; blue, a layer's additions." if _has_layers(graph) else "."),
    ]

    def node_line(node: GraphNode, indent: str) -> str:
        label = mermaid_text(_label(node))
        if node.ending is not None:
            shape = f'(["{label}"])'
        elif node.vote is not None:
            shape = f'{{{{"{label}"}}}}'
        elif node.input:
            shape = f'[/"{label}"/]'
        else:
            shape = f'["{label}"]'
        return f"{indent}{ids[node.id]}{shape}"

    inside = [n for n in graph.nodes if not n.outside]
    for number, chapter in enumerate(graph.chapters()):
        out.append(f'  subgraph c{number}["{mermaid_text(chapter or NO_CHAPTER)}"]')
        out.extend(node_line(n, "    ") for n in inside if n.chapter == chapter)
        out.append("  end")
    out.extend(node_line(n, "  ") for n in graph.nodes if n.outside)
    dotted: list[int] = []
    layered: list[int] = []
    for number, edge in enumerate(graph.edges):
        if edge.layer is not None:
            layered.append(number)
        label = f'|"{mermaid_text(edge.label)}"|'
        if edge.kind == "vote":
            arrow = "==>"
        elif edge.kind == "random":
            arrow = "-.->" if edge.locked else "-->"
            dotted.append(number)
        else:
            arrow = "-.->" if edge.locked else "-->"
        out.append(f"  {ids[edge.source]} {arrow}{label} {ids[edge.target]}")
    if dotted:
        out.append(f"  linkStyle {','.join(map(str, dotted))} stroke-dasharray:2 3,stroke:#888888")
    if layered:
        out.append(f"  linkStyle {','.join(map(str, layered))} stroke:{LAYER_COLOUR},color:{LAYER_COLOUR}")
    classes = {
        "ending": [ids[n.id] for n in graph.nodes if n.ending is not None],
        "start": [ids[n.id] for n in graph.nodes if n.start],
        "outside": [ids[n.id] for n in graph.nodes if n.outside],
        "layer": [ids[n.id] for n in graph.nodes if n.layer is not None and not n.outside],
    }
    styles = {
        "ending": "fill:#eeeeee,stroke-width:3px",
        "start": "stroke-width:3px",
        "outside": "stroke-dasharray:4 3,color:#666666",
        "layer": f"fill:{LAYER_FILL},stroke:{LAYER_COLOUR}",
    }
    for name, members in classes.items():
        if members:
            out.append(f"  classDef {name} {styles[name]}")
            out.append(f"  class {','.join(members)} {name}")
    return "\n".join(out) + "\n"
