"""The nodes a story keeps stable for its layers: `stable:` in the story's manifest.

A layer names nodes of the story below it (what it `extend`s, where its choices `goto`, what its
conditions ask `visited()`); a later version of the story may rename or remove any node it did
not promise to keep. The story lists the nodes it keeps (`stable: [ch1_ship_evening, ...]`), and
`check` tells a layer each place where it names a node of the story that the list leaves out.
A story without the list promises nothing and hears nothing of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import yaml

from kuzbass_game.engine.core.diagnostics import Mark
from kuzbass_game.engine.format.reader import NODE_ID, Reader

if TYPE_CHECKING:  # (the builder imports this module)
    from kuzbass_game.engine.format.compiler import StoryBuilder


def read_stable(reader: Reader, node: yaml.Node) -> dict[str, Mark]:
    """The manifest's `stable:` list: node id -> where it is listed."""
    listed: dict[str, Mark] = {}
    for item in reader.sequence(node, "the manifest's 'stable'") or ():
        node_id = reader.text(item, "a node id in the manifest's 'stable'")
        if node_id is None:
            continue
        node_id = node_id.strip()
        if not NODE_ID.match(node_id):
            reader.error(item, f"'{node_id}' cannot be a node id: use letters, digits, '_', '-' and '.' only")
        elif node_id in listed:
            reader.warning(item, f"node '{node_id}' is listed twice in 'stable'")
        else:
            listed[node_id] = reader.mark(item)
    return listed


def check_stable(builder: StoryBuilder) -> None:
    """Each stable node exists; each place a layer names a node of the story that is not stable is told so."""
    stable = builder.stable
    if stable is None:
        return
    # Only the story's own nodes (not a layer's) are the story's to keep.
    own = {node_id for node_id in builder.node_marks if node_id not in builder.node_layer}
    if not builder.incomplete:
        from kuzbass_game.engine.format.reader import Suggester  # (the reader is loaded: the builder uses it)

        suggest = Suggester(own)
        for node_id, mark in stable.items():
            if node_id not in own:
                builder.sink.error(mark, f"the stable node '{node_id}' is not a node of the story{suggest(node_id)}")
    named = [(e.target, e.mark) for e in builder.extensions]
    named += [(target, mark) for target, mark, _what in builder.pending_targets]
    named += [(node_id, mark) for node_id, mark, _what, _function in builder.pending_refs]
    for node_id, mark in named:
        layer = builder.file_layer.get(mark.path)
        if layer is not None and node_id in own and node_id not in stable:
            builder.sink.warning(
                mark,
                f"layer '{layer}' names node '{node_id}' of the story, which the story does not keep stable: a later "
                f"version may rename or remove it (the story's manifest lists the nodes a layer may rely on under 'stable')",
            )
