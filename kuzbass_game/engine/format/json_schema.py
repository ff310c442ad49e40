"""A JSON Schema (draft 2020-12) of the story format, for editors with a YAML language server.

`kuzbass schema` prints it. It is written out by hand, key by key, beside the loader, and a test
keeps the two in step: every story and example file must validate against it, and each mapping
the loader reads (the `*_KEYS` tuples of the format package: compiler.py, declarations.py, votes.py, codex.py,
people.py and story_tests.py, and the vote OUTCOMES of core/model.py) must allow exactly the keys the schema allows at the place `KEYS_AT` names.

The schema describes shapes (which keys, which types, which ranges); what needs the whole story
(does a `goto` exist, is a variable declared, does an expression type-check) is `kuzbass check`'s.
One schema serves every file: a file with `extends` is a layer's manifest, a file with `id`,
`title` or `start` is a story's manifest, and any other file holds nodes and declarations.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]  # a piece of JSON Schema: JSON of any shape, nested as the format needs

IDENTIFIER = "^[A-Za-z_][A-Za-z0-9_]*$"
NODE_ID = "^[A-Za-z0-9_][A-Za-z0-9_.\\-]*$"
RESERVED = ["and", "or", "not", "true", "false", "min", "max", "if", "visited", "visits"]

# Where each mapping the loader reads lives in the schema: "module.TUPLE" -> the $defs entry
# whose `properties` must be exactly that tuple's keys (the test checks both ways).
KEYS_AT = {
    "compiler.MANIFEST_KEYS": "manifest",
    "compiler.LAYER_MANIFEST_KEYS": "layerManifest",
    "compiler.FILE_KEYS": "storyFile",
    "compiler.EXTEND_KEYS": "extension",
    "compiler.NODE_KEYS": "node",
    "compiler.CHOICE_KEYS": "choice",
    "compiler.BRANCH_KEYS": "branch",
    "compiler.ENDING_KEYS": "ending",
    "compiler.INPUT_KEYS": "input",
    "compiler.PARAGRAPH_KEYS": "textPart",
    "declarations.VARIABLE_KEYS": "variable",
    "declarations.COMPUTED_KEYS": "computedSpec",
    "declarations.ROUTINE_KEYS": "routine",
    "codex.CODEX_KEYS": "codexEntry",
    "people.PERSON_LINE_KEYS": "personLine",
    "votes.VOTE_KEYS": "vote",
    "votes.FACTION_KEYS": "faction",
    "votes.MOVE_KEYS": "move",
    "model.OUTCOMES": "outcomes",
    "story_tests.TEST_KEYS": "storyTest",
    "story_tests.CHECKPOINT_KEYS": "checkpoint",
}
# Tuples of keys that are parts of others (checked as subsets of each place named).
PARTS_AT = {"compiler.DECLARATION_KEYS": ("manifest", "layerManifest", "storyFile")}


def _ref(name: str) -> Schema:
    return {"$ref": f"#/$defs/{name}"}


def _text(description: str) -> Schema:
    return {"type": "string", "description": description}


def _object(description: str, properties: Schema, required: tuple[str, ...] = (), **more: Any) -> Schema:
    schema: Schema = {"type": "object", "description": description, "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    schema.update(more)
    return schema


def _one_or_many(item: Schema, description: str) -> Schema:
    return {"description": description, "anyOf": [item, {"type": "array", "items": item}]}


def story_schema() -> Schema:
    """The schema, as a JSON-ready dict."""
    declarations = {
        "variables": _ref("variables"),
        "computed": _ref("computedValues"),
        "routines": _ref("routines"),
        "codex": _ref("codex"),
        "tests": _ref("storyTests"),
        "people": _ref("people"),
    }
    defs = {
        # ------------------------------------------------------------ the three kinds of file
        "manifest": _object(
            "The story's manifest.yaml: what the story is and where it starts.",
            {
                "id": {"type": "string", "pattern": IDENTIFIER, "description": "The story's id (letters, digits, underscores); saves record it."},
                "title": _text("The title the player sees."),
                "start": {"type": "string", "pattern": NODE_ID, "description": "The node where every new game begins."},
                "author": _text("Free text."),
                "description": _text("Free text."),
                "introduction": _text("Paragraphs a player may read before a new game (a blank line between them)."),
                "afterword": _text("Paragraphs shown after an ending: what became of it all."),
                "stable": {
                    "type": "array",
                    "items": {"type": "string", "pattern": NODE_ID},
                    "description": "The nodes the story keeps (never renames or removes): those a layer may name safely.",
                },
                **declarations,
            },
            ("id", "title", "start"),
        ),
        "layerManifest": _object(
            "A layer's manifest.yaml: a layer laid over the story it extends.",
            {
                "id": {"type": "string", "pattern": IDENTIFIER, "description": "The layer's id (letters, digits, underscores)."},
                "title": _text("The layer's title."),
                "extends": _text("The id of the story (or layer) this layer is laid over."),
                "author": _text("Free text."),
                "description": _text("Free text."),
                **declarations,
            },
            ("id", "extends"),
        ),
        "storyFile": _object(
            "A file of nodes and declarations: any other .yaml file of the story folder.",
            {
                "nodes": {
                    "type": "object",
                    "description": "Node id -> node. Ids are unique across the whole story.",
                    "propertyNames": {"pattern": NODE_ID},
                    "additionalProperties": _ref("node"),
                },
                "extend": {
                    "type": "object",
                    "description": "In a layer: node id (of a layer below) -> what to add to it.",
                    "propertyNames": {"pattern": NODE_ID},
                    "additionalProperties": _ref("extension"),
                },
                **declarations,
            },
            minProperties=1,
        ),
        "extension": _object(
            "What a layer adds to a node below it.",
            {
                "text": {**_ref("nodeText"), "description": "Replaces the node's text."},
                "choices": {"type": "array", "items": _ref("choice"), "maxItems": 9, "description": "Choices added after the node's own."},
                "unlocks": _ref("unlocks"),
            },
        ),
        # ------------------------------------------------------------ declarations
        "variables": {
            "type": "object",
            "description": "Variable name -> its declaration.",
            "propertyNames": _ref("name"),
            "additionalProperties": _ref("variable"),
        },
        "name": {
            "type": "string",
            "pattern": IDENTIFIER,
            "not": {"enum": RESERVED},
            "description": "Letters, digits and underscores, not starting with a digit; not a reserved word.",
        },
        "variable": _object(
            "A variable: its type and its value when a game starts.",
            {
                "type": {"enum": ["int", "bool", "text"], "description": "int (whole numbers), bool (true/false) or text."},
                "default": {"type": ["integer", "boolean", "string"], "description": 'The value when a game starts: 0, false or "" when left out.'},
                "min": {"type": "integer", "description": "ints only: assignments are clamped into min..max."},
                "max": {"type": "integer", "description": "ints only: assignments are clamped into min..max."},
                "label": _text("When present, the status panel shows the variable under this label (up to 24 characters)."),
                "description": _text("What it measures, for the stats screen and tooltips."),
                "values": {
                    "type": "array",
                    "items": {"type": "string"},
                    "minItems": 1,
                    "uniqueItems": True,
                    "description": "text only: the only values it may hold.",
                },
                "show_if": {**_ref("condition"), "description": "Shown in the status panel only while this holds."},
            },
            ("type",),
            allOf=[
                {"if": {"properties": {"type": {"const": "int"}}, "required": ["type"]}, "then": {"properties": {"default": {"type": "integer"}}}},
                {"if": {"properties": {"type": {"const": "bool"}}, "required": ["type"]}, "then": {"properties": {"default": {"type": "boolean"}}}},
                {"if": {"properties": {"type": {"const": "text"}}, "required": ["type"]}, "then": {"properties": {"default": {"type": "string"}}}},
            ],
        ),
        "computedValues": {
            "type": "object",
            "description": "Name -> a value worked out from the state whenever it is read.",
            "propertyNames": _ref("name"),
            "additionalProperties": {"anyOf": [_ref("expression"), _ref("computedSpec")]},
        },
        "computedSpec": _object(
            "A computed value with a label, a description or a show_if.",
            {
                "value": _ref("expression"),
                "label": _text("Shown in the status panel like a variable."),
                "description": _text("What it is, for the stats screen and tooltips."),
                "show_if": {**_ref("condition"), "description": "Shown only while this holds."},
            },
            ("value",),
        ),
        "routines": {
            "type": "object",
            "description": "Name -> effects run by writing the name alone in effects.",
            "propertyNames": _ref("name"),
            "additionalProperties": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}, _ref("routine")]},
        },
        "routine": _object(
            "A routine with a label: the change line credits what it changes to the label.",
            {
                "effects": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}], "description": "The effects it runs."},
                "label": _text('What its changes are credited to, as in "Soap +1, the monthly issue".'),
            },
            ("effects",),
        ),
        "codex": {
            "type": "object",
            "description": "Entry id -> codex entry, unlocked by nodes' 'unlocks'.",
            "propertyNames": {"pattern": NODE_ID},
            "additionalProperties": _ref("codexEntry"),
        },
        "codexEntry": _object(
            "An entry of the codex.",
            {
                "title": _text("The entry's title."),
                "text": _text("Its text; paragraphs separated by a blank line."),
                "sources": {"type": "array", "items": {"type": "string"}, "maxItems": 20, "description": "Where it comes from."},
            },
            ("title", "text"),
        ),
        "people": {
            "type": "object",
            "description": "Person id -> what the run summary says of them under 'Who stayed with you': the first line whose 'if' holds at the end.",
            "propertyNames": {"pattern": NODE_ID},
            "additionalProperties": {
                "anyOf": [_ref("personLine"), {"type": "array", "minItems": 1, "maxItems": 20, "items": _ref("personLine")}],
                "description": "One line, or a list of lines (the first whose 'if' holds is said).",
            },
        },
        "personLine": _object(
            "A line the run summary may say of a person.",
            {
                "text": _text("The line (markup, {name} holes), in the summary's voice."),
                "if": {**_ref("condition"), "description": "When it is said: a condition on the state at the end of the run (no 'if': always)."},
            },
            ("text",),
        ),
        "storyTests": {
            "type": "object",
            "description": "Test name -> a scripted playthrough that 'kuzbass check' runs.",
            "additionalProperties": _ref("storyTest"),
        },
        "storyTest": _object(
            "A scripted playthrough.",
            {
                "seed": {"type": "integer", "description": "The game's seed (default 0)."},
                "steps": {
                    "type": "array",
                    "maxItems": 10000,
                    "description": "Choice numbers as shown (1-9) and typed answers, in order.",
                    "items": {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 9}, {"type": "string"}]},
                },
                "expect": {"type": "array", "items": _ref("condition"), "description": "Conditions that must hold at the end."},
                "checkpoints": {"type": "array", "maxItems": 1000, "items": _ref("checkpoint"), "description": "What must hold on the way."},
                "ending": {"type": "string", "description": "The node where the route must stop."},
            },
            ("steps",),
        ),
        "checkpoint": _object(
            "What must be true when the route reaches a node.",
            {
                "at": {"type": "string", "pattern": NODE_ID, "description": "The node where this is checked."},
                "visit": {"type": "integer", "minimum": 1, "description": "Which arrival at the node (default 1, the first)."},
                "holds": _one_or_many(_ref("condition"), "Conditions that must hold on arrival."),
                "shows": _one_or_many(_text("A text."), "Texts the scene shows (a part, any case, markup ignored)."),
                "lacks": _one_or_many(_text("A text."), "Texts the scene must not show."),
                "open": _one_or_many(_text("A choice."), "Choices offered and open: a part of their text, or the node they lead to."),
                "locked": _one_or_many(_text("A choice."), "Choices shown locked."),
                "hidden": _one_or_many(_text("A choice."), "Choices not shown at all."),
            },
            ("at",),
        ),
        # ------------------------------------------------------------ nodes
        "node": _object(
            "A scene: its text and what the player may do next.",
            {
                "text": _ref("nodeText"),
                "chapter": _text("Shown in the status panel from this node on."),
                "date": _text("The in-story date, shown the same way."),
                "effects": _ref("effects"),
                "choices": {"type": "array", "items": _ref("choice"), "maxItems": 9, "description": "At most 9 (the keys 1-9)."},
                "ending": _ref("ending"),
                "input": _ref("input"),
                "unlocks": _ref("unlocks"),
                "vote": _ref("vote"),
            },
            ("text",),
        ),
        "nodeText": {
            "description": "The scene's text, or a list of parts, each text or {text, if}.",
            "anyOf": [{"type": "string"}, {"type": "array", "minItems": 1, "items": {"anyOf": [{"type": "string"}, _ref("textPart")]}}],
        },
        "textPart": _object(
            "A part of the text shown only while its condition holds.",
            {
                "text": {"type": "string"},
                "if": _ref("condition"),
            },
            ("text",),
        ),
        "choice": _object(
            "A choice: where it leads, when it is open, what it does.",
            {
                "text": _text("What the player picks."),
                "goto": _text("The node it leads to (or use 'random')."),
                "random": {"type": "array", "items": _ref("branch"), "minItems": 1, "description": "Weighted random outcomes."},
                "if": {**_ref("condition"), "description": "When false the choice is hidden, or locked with 'locked'."},
                "otherwise": {"type": "boolean", "description": "Open exactly when no sibling's 'if' holds."},
                "locked": _text("Shown greyed out with this reason while 'if' is false."),
                "effects": _ref("effects"),
                "once": {"type": "boolean", "description": "Disappears after it has been taken once."},
                "reply": _text("Shown at the top of the next scene, answering the choice."),
                "ballot": {"enum": ["for", "against", "abstain"], "description": "In a vote node: the player's ballot."},
            },
            ("text",),
            **{"not": {"required": ["goto", "random"]}},
        ),
        "branch": _object(
            "One weighted outcome of a random choice.",
            {
                "goto": _text("The node this outcome leads to."),
                "weight": {"type": "integer", "minimum": 1, "maximum": 1000000, "description": "Default 1."},
                "if": _ref("condition"),
                "otherwise": {"type": "boolean", "description": "Counts exactly when no other branch's 'if' holds."},
            },
            ("goto",),
        ),
        "ending": _object("Makes the node an ending.", {"title": _text("The ending's title.")}, ("title",)),
        "input": _object(
            "Asks the player to type a text value before the choices.",
            {
                "var": _text("A declared text variable."),
                "prompt": _text("The question asked."),
                "max_length": {"type": "integer", "minimum": 1, "maximum": 200, "description": "Default 24."},
            },
            ("var", "prompt"),
        ),
        "unlocks": {"type": "array", "items": {"type": "string"}, "description": "Codex entries learned on reaching the node."},
        "vote": _object(
            "The colony's meeting votes here; the ballot choices' outcome decides where the story goes.",
            {
                "id": {"type": "string", "pattern": NODE_ID, "description": "Defaults to the node id."},
                "question": _text("The motion."),
                "record": _text("A text variable that receives the outcome."),
                "factions": {"type": "array", "items": _ref("faction"), "minItems": 1, "maxItems": 12},
                "outcomes": _ref("outcomes"),
            },
            ("question", "factions", "outcomes"),
        ),
        "outcomes": _object(
            "Where each outcome leads.",
            {
                "passed": {"type": "string"},
                "failed": {"type": "string"},
                "tied": {"type": "string", "description": "Without it a tie fails."},
            },
            ("passed", "failed"),
        ),
        "faction": _object(
            "One part of the meeting.",
            {
                "name": {"type": "string"},
                "size": {**_ref("intValue"), "description": "How many vote."},
                "for": {**_ref("intValue"), "description": "Per cent leaning for."},
                "swing": {"type": "integer", "minimum": 0, "maximum": 50, "description": "The hall's mood: ± up to this many points."},
                "moves": {"type": "array", "items": _ref("move")},
            },
            ("name", "size", "for"),
        ),
        "move": _object(
            "Something the player did that moved the faction.",
            {
                "if": _ref("condition"),
                "by": {**_ref("intValue"), "description": "Points for (negative: against)."},
                "why": {"type": "string"},
            },
            ("by", "why"),
        ),
        # ------------------------------------------------------------ expressions
        "condition": {"type": ["string", "boolean"], "description": 'A condition, such as "kopeks >= 2 and not has_coat".'},
        "expression": {"type": ["string", "boolean", "integer"], "description": 'An expression, such as "15 + grade * 5".'},
        "intValue": {"type": ["integer", "string"], "description": "A whole number or an int expression."},
        "effects": {
            "description": "Assignments separated by ';', or a list of them: \"health -= 2; faith += 1\".",
            "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}],
        },
    }
    top_level = sorted({*defs["manifest"]["properties"], *defs["layerManifest"]["properties"], *defs["storyFile"]["properties"]})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://kuzbass.invalid/story-format.schema.json",
        "title": "Kuzbass story file",
        "description": "A file of a Kuzbass story folder: manifest.yaml (a story's or a layer's), or a file of nodes "
        "and declarations. Printed by 'kuzbass schema'; see docs/story-format.md.",
        "type": "object",
        "propertyNames": {"enum": top_level},
        "if": {"required": ["extends"]},
        "then": _ref("layerManifest"),
        "else": {
            "if": {"anyOf": [{"required": ["id"]}, {"required": ["title"]}, {"required": ["start"]}]},
            "then": _ref("manifest"),
            "else": _ref("storyFile"),
        },
        "$defs": defs,
    }
