"""Assemblies, the compile half: a node's `vote:` mapping read into a `Vote`, each problem where it is written.

The run half (counting the vote) is `play/votes.py`; this one runs only when a story is compiled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kuzbass_game.engine.core import expr, model
from kuzbass_game.engine.core.model import Faction, Move, Vote
from kuzbass_game.engine.format.reader import NODE_ID, did_you_mean

if TYPE_CHECKING:
    import yaml

    from kuzbass_game.engine.format.compiler import NodeCompiler

VOTE_KEYS = ("id", "question", "record", "factions", "outcomes")
FACTION_KEYS = ("name", "size", "for", "swing", "moves")
MOVE_KEYS = ("if", "by", "why")
MAX_FACTIONS = 12
MAX_SWING = 50


def compile_vote(nc: NodeCompiler, node_id: str, node: yaml.Node) -> Vote | None:
    """A node's `vote:` mapping -> Vote, each problem reported where it is written.

    `nc` is the compiler of the node (its reader, its checked expressions, its deferred targets).
    """
    r = nc.reader
    what = f"the vote of node '{node_id}'"
    spec = r.mapping(node, what, VOTE_KEYS, required=("question", "factions", "outcomes"))
    if spec is None or not all(k in spec for k in ("question", "factions", "outcomes")):
        return None
    vote_id = node_id
    if "id" in spec:
        got = r.text(spec["id"][1], f"the id of {what}")
        if got is not None and not NODE_ID.match(got.strip()):
            r.error(spec["id"][1], f"the id of {what} may use letters, digits, '_', '-' and '.' only")
        elif got is not None:
            vote_id = got.strip()
    question = nc.markup_text(spec["question"][1], f"the question of {what}")
    factions: list[model.Faction] = []
    items = r.sequence(spec["factions"][1], f"the factions of {what}") or []
    if items is not None and len(items) > MAX_FACTIONS:
        r.error(spec["factions"][1], f"{what} has {len(items)} factions; at most {MAX_FACTIONS}")
    for number, item in enumerate(items, 1):
        faction = _faction(nc, item, f"faction {number} of {what}")
        if faction is not None:
            factions.append(faction)
    if not items:
        r.error(spec["factions"][1], f"{what} needs at least one faction")
    outcomes: dict[str, str] = {}
    found = r.mapping(spec["outcomes"][1], f"the outcomes of {what}", model.OUTCOMES, required=("passed", "failed"))
    for outcome, (_key, target_node) in (found or {}).items():
        target = nc.target(target_node, f"the '{outcome}' outcome of {what}")
        if target is not None:
            outcomes[outcome] = target
    record = None
    if "record" in spec:
        record = _record(nc, spec["record"][1], what, outcomes)
    if question is None or len(factions) != len(items) or "passed" not in outcomes or "failed" not in outcomes:
        return None
    return Vote(vote_id, question.strip(), tuple(factions), outcomes, record, r.mark(node))


def _record(nc: NodeCompiler, node: yaml.Node, what: str, outcomes: dict[str, str]) -> str | None:
    r = nc.reader
    name = r.text(node, f"the record of {what}")
    if name is None:
        return None
    name = name.strip()
    declared = nc.variables.get(name)
    if declared is None:
        r.error(node, f"the record of {what} names an unknown variable '{name}'{did_you_mean(name, nc.variables)}")
        return None
    if declared.type not in ("text", expr.ANY):  # (of no known type: its declaration is the mistake)
        r.error(node, f"the record of {what} must be a text variable; '{name}' is {declared.type}")
        return None
    if declared.values:
        missing = [o for o in model.OUTCOMES if o in outcomes or o in ("passed", "failed")]
        missing = [o for o in missing if o not in declared.values]
        if missing:
            r.error(node, f"'{name}' cannot hold the outcome {', '.join(missing)}: add it to its values")
            return None
    nc.builder.writes.add(name)
    return name


def _faction(nc: NodeCompiler, node: yaml.Node, what: str) -> Faction | None:
    r = nc.reader
    spec = r.mapping(node, what, FACTION_KEYS, required=("name", "size", "for"))
    if spec is None or not all(k in spec for k in ("name", "size", "for")):
        return None
    name = nc.markup_text(spec["name"][1], f"the name of {what}")
    size = nc.int_value(spec["size"][1], f"the size of {what}")
    lean = nc.int_value(spec["for"][1], f"'for' of {what}")
    swing = 0
    if "swing" in spec:
        got = r.integer(spec["swing"][1], f"the swing of {what}")
        if got is not None and not 0 <= got <= MAX_SWING:
            r.error(spec["swing"][1], f"the swing of {what} must be from 0 to {MAX_SWING} points")
        elif got is not None:
            swing = got
    moves: list[model.Move] = []
    ok = True
    for number, item in enumerate(r.sequence(spec["moves"][1], f"the moves of {what}") or [] if "moves" in spec else [], 1):
        where = f"move {number} of {what}"
        move_spec = r.mapping(item, where, MOVE_KEYS, required=("by", "why"))
        if not move_spec or "by" not in move_spec or "why" not in move_spec:
            ok = False
            continue
        by = nc.int_value(move_spec["by"][1], f"'by' of {where}")
        why = nc.markup_text(move_spec["why"][1], f"'why' of {where}")
        condition = nc.condition(move_spec["if"][1], f"the condition of {where}") if "if" in move_spec else None
        if by is None or why is None or ("if" in move_spec and condition is None):
            ok = False
            continue
        moves.append(Move(by[0].run, why.strip(), condition, by[1]))
    if name is None or size is None or lean is None or not ok:
        return None
    return Faction(name.strip(), size[0].run, lean[0].run, swing, tuple(moves), size[1], lean[1])
