"""`kuzbass schema`: the JSON Schema of story files stays in step with the loader.

(a) Every story file of story/ and docs/examples/ validates against it; (b) each mapping the
loader reads (every `*_KEYS` tuple of the engine) allows exactly the keys the schema allows at
that place, so adding a key to one and not the other fails here, naming both.

The validator is a small one, for the keywords this schema uses (a test refuses any other
keyword, so none is silently ignored), rather than the `jsonschema` package: the subset is
short, it keeps the test extras as they are, and what matters here (keys, types, ranges,
patterns) is exactly what it checks.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest
import yaml

from kuzbass_game.cli import main
from kuzbass_game.engine.format.json_schema import KEYS_AT, PARTS_AT, story_schema

from conftest import REPO

ENGINE_MODULES = ("format.compiler", "format.declarations", "format.votes", "format.codex", "format.people", "format.story_tests", "core.model")
KEYWORDS = {
    "$schema",
    "$id",
    "$defs",
    "$ref",
    "title",
    "description",
    "type",
    "enum",
    "const",
    "pattern",
    "not",
    "anyOf",
    "allOf",
    "if",
    "then",
    "else",
    "properties",
    "additionalProperties",
    "required",
    "propertyNames",
    "minProperties",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minimum",
    "maximum",
}
MAX_DEPTH = 64


# ---------------------------------------------------------------- a validator for this schema's keywords


class Validator:
    def __init__(self, root: dict) -> None:
        self.root = root

    def errors(self, instance, schema: dict | bool | None = None, where: str = "", depth: int = 0) -> list[str]:
        schema = self.root if schema is None else schema
        if depth > MAX_DEPTH:
            return [f"{where or '/'}: nested too deeply"]
        if schema is True:
            return []
        if schema is False:
            return [f"{where or '/'}: not allowed here"]
        found: list[str] = []
        at = where or "/"
        if "$ref" in schema:
            target = self.root
            for part in schema["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            found += self.errors(instance, target, where, depth + 1)
        if "type" in schema:
            kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            if not any(_is(instance, kind) for kind in kinds):
                return found + [f"{at}: {instance!r} is not of type {'/'.join(kinds)}"]
        found += self._value_errors(instance, schema, at)
        found += self._combined_errors(instance, schema, where, depth)
        if isinstance(instance, dict):
            found += self._object_errors(instance, schema, where, depth)
        if isinstance(instance, list):
            found += self._array_errors(instance, schema, where, depth)
        return found

    @staticmethod
    def _value_errors(instance, schema: dict, at: str) -> list[str]:
        """enum, const, pattern, minimum and maximum."""
        found = []
        if "enum" in schema and instance not in schema["enum"]:
            found.append(f"{at}: {instance!r} is not one of {schema['enum']}")
        if "const" in schema and instance != schema["const"]:
            found.append(f"{at}: {instance!r} is not {schema['const']!r}")
        if "pattern" in schema and isinstance(instance, str) and not re.search(schema["pattern"], instance):
            found.append(f"{at}: {instance!r} does not match {schema['pattern']}")
        if "minimum" in schema and _is(instance, "integer") and instance < schema["minimum"]:
            found.append(f"{at}: {instance} is below {schema['minimum']}")
        if "maximum" in schema and _is(instance, "integer") and instance > schema["maximum"]:
            found.append(f"{at}: {instance} is above {schema['maximum']}")
        return found

    def _combined_errors(self, instance, schema: dict, where: str, depth: int) -> list[str]:
        """not, anyOf, allOf, and if / then / else."""
        found = []
        at = where or "/"
        if "not" in schema and not self.errors(instance, schema["not"], where, depth + 1):
            found.append(f"{at}: must not match {schema['not']}")
        if "anyOf" in schema:
            tries = [self.errors(instance, option, where, depth + 1) for option in schema["anyOf"]]
            if all(tries):
                found.append(f"{at}: matches none of the choices: " + " | ".join(min(tries, key=len)))
        for option in schema.get("allOf", ()):
            found += self.errors(instance, option, where, depth + 1)
        if "if" in schema:
            branch = "then" if not self.errors(instance, schema["if"], where, depth + 1) else "else"
            if branch in schema:
                found += self.errors(instance, schema[branch], where, depth + 1)
        return found

    def _object_errors(self, instance: dict, schema: dict, where: str, depth: int) -> list[str]:
        """required, minProperties, propertyNames, properties and additionalProperties."""
        found = []
        at = where or "/"
        properties = schema.get("properties", {})
        for key in schema.get("required", ()):
            if key not in instance:
                found.append(f"{at}: the required key '{key}' is missing")
        if len(instance) < schema.get("minProperties", 0):
            found.append(f"{at}: holds fewer than {schema['minProperties']} keys")
        for key, value in instance.items():
            name = str(key)
            if "propertyNames" in schema:
                found += [f"{where}/{name}: the key: " + e.removeprefix("/: ") for e in self.errors(name, schema["propertyNames"], "", depth + 1)]
            if name in properties:
                found += self.errors(value, properties[name], f"{where}/{name}", depth + 1)
            elif "additionalProperties" in schema:
                extra = schema["additionalProperties"]
                if extra is False:
                    found.append(f"{where}/{name}: the key '{name}' is not allowed")
                else:
                    found += self.errors(value, extra, f"{where}/{name}", depth + 1)
        return found

    def _array_errors(self, instance: list, schema: dict, where: str, depth: int) -> list[str]:
        """minItems, maxItems, uniqueItems and items."""
        found = []
        at = where or "/"
        if len(instance) < schema.get("minItems", 0):
            found.append(f"{at}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(instance) > schema["maxItems"]:
            found.append(f"{at}: more than {schema['maxItems']} items")
        if schema.get("uniqueItems") and len({json.dumps(i, sort_keys=True, default=str) for i in instance}) < len(instance):
            found.append(f"{at}: items repeat")
        if "items" in schema:
            for number, item in enumerate(instance):
                found += self.errors(item, schema["items"], f"{where}/{number}", depth + 1)
        return found


def _is(value, kind: str) -> bool:
    return {
        "object": isinstance(value, dict),
        "array": isinstance(value, list),
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "null": value is None,
    }[kind]


def _keywords(schema, path: str = "") -> set[tuple[str, str]]:
    """(path, keyword) for every keyword used anywhere in the schema."""
    found: set[tuple[str, str]] = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            found.add((path, key))
            if key in ("properties", "$defs"):
                for name, sub in value.items():
                    found |= _keywords(sub, f"{path}/{key}/{name}")
            elif key in ("enum", "const", "required", "type", "description", "title", "pattern"):
                continue
            elif isinstance(value, (dict, list)):
                found |= _keywords(value, f"{path}/{key}")
    elif isinstance(schema, list):
        for number, item in enumerate(schema):
            found |= _keywords(item, f"{path}/{number}")
    return found


SCHEMA = story_schema()
VALIDATE = Validator(SCHEMA)


def story_files() -> list[Path]:
    files = []
    for root in (REPO / "story", REPO / "docs" / "examples"):
        files += sorted(
            p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and not any(part.startswith(".") for part in p.relative_to(root).parts)
        )
    return files


# ---------------------------------------------------------------- the tests


def test_the_schema_uses_only_keywords_the_test_validator_knows():
    unknown = sorted({(path, key) for path, key in _keywords(SCHEMA) if key not in KEYWORDS})
    assert unknown == []
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_every_reference_resolves():
    refs = re.findall(r'"\$ref": "#/\$defs/([^"]+)"', json.dumps(SCHEMA))
    assert refs and sorted(set(refs) - set(SCHEMA["$defs"])) == []


@pytest.mark.parametrize("path", story_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_story_and_example_file_validates(path):
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:  # a story file that is not YAML is as wrong as one the schema refuses
        pytest.fail(f"{path.relative_to(REPO)} is not valid YAML: {err}")
    assert VALIDATE.errors(data) == []


def _loader_tuples() -> dict[str, tuple[str, ...]]:
    """Every `*_KEYS` tuple (and the vote's OUTCOMES) of the modules that read story files."""
    found = {}
    for name in ENGINE_MODULES:
        module = importlib.import_module(f"kuzbass_game.engine.{name}")
        for attribute, value in vars(module).items():
            if (attribute.endswith("_KEYS") or attribute == "OUTCOMES") and isinstance(value, tuple) and all(isinstance(v, str) for v in value):
                found[f"{name.rsplit('.', 1)[1]}.{attribute}"] = value
    return found


def test_each_mapping_the_loader_reads_has_its_place_in_the_schema():
    tuples = _loader_tuples()
    unplaced = sorted(set(tuples) - set(KEYS_AT) - set(PARTS_AT))
    assert unplaced == [], "add these to KEYS_AT in kuzbass_game/engine/format/json_schema.py, and their keys to the schema"
    gone = sorted(set(KEYS_AT) - set(tuples))
    assert gone == [], "the loader no longer has these tuples: update KEYS_AT in formatschema.py"


@pytest.mark.parametrize("tuple_name", sorted(KEYS_AT))
def test_the_loader_and_the_schema_allow_the_same_keys(tuple_name):
    tuples = _loader_tuples()
    if tuple_name not in tuples:
        pytest.fail(f"{tuple_name} is not in the loader any more")
    loader = set(tuples[tuple_name])
    schema = set(SCHEMA["$defs"][KEYS_AT[tuple_name]]["properties"])
    where = f"$defs/{KEYS_AT[tuple_name]} in kuzbass_game/engine/format/json_schema.py"
    assert sorted(loader - schema) == [], f"the loader allows these keys ({tuple_name}) and the schema does not ({where})"
    assert sorted(schema - loader) == [], f"the schema allows these keys ({where}) and the loader does not ({tuple_name})"
    assert SCHEMA["$defs"][KEYS_AT[tuple_name]]["additionalProperties"] is False


@pytest.mark.parametrize("tuple_name", sorted(PARTS_AT))
def test_shared_keys_are_in_every_place_they_belong(tuple_name):
    keys = set(_loader_tuples()[tuple_name])
    for place in PARTS_AT[tuple_name]:
        assert sorted(keys - set(SCHEMA["$defs"][place]["properties"])) == [], place


def test_the_top_level_allows_every_top_level_key_and_no_other():
    top = set(SCHEMA["propertyNames"]["enum"])
    places = {"manifest", "layerManifest", "storyFile"}
    assert top == set().union(*(SCHEMA["$defs"][p]["properties"] for p in places))


def test_the_schema_refuses_what_the_loader_refuses():
    """The validator really validates: mistakes the loader reports are schema errors too."""
    good = {"nodes": {"start": {"text": "Hi", "choices": [{"text": "Go", "goto": "end"}]}, "end": {"text": "Bye", "ending": {"title": "Done"}}}}
    assert VALIDATE.errors(good) == []
    assert VALIDATE.errors({"id": "ferry", "title": "F", "start": "bank", "variables": {"x": {"type": "int", "default": 1}}}) == []
    bad = [
        ({"nodes": {"start": {"text": "Hi", "choises": []}}}, "/nodes/start/choises: the key 'choises' is not allowed"),
        ({"nodes": {"start": {"choices": []}}}, "/nodes/start: the required key 'text' is missing"),
        ({"nodes": {"a b": {"text": "x"}}}, "/nodes/a b: the key: 'a b' does not match"),
        ({"nodes": {"s": {"text": "x", "choices": [{"text": "t", "goto": "a", "random": [{"goto": "b"}]}]}}}, "/nodes/s/choices/0: must not match"),
        ({"nodes": {"s": {"text": "x", "input": {"var": "v", "prompt": "p", "max_length": 500}}}}, "/nodes/s/input/max_length: 500 is above 200"),
        ({"id": "my-story", "title": "T", "start": "s"}, "/id: 'my-story' does not match"),
        ({"id": "s", "title": "T"}, "/: the required key 'start' is missing"),
        ({"variables": {"x": {"type": "int", "default": "five"}}}, "/variables/x/default: 'five' is not of type integer"),
        ({"variables": {"not": {"type": "int"}}}, "/variables/not: the key: must not match"),
        ({"extends": "kuzbass"}, "/: the required key 'id' is missing"),
        ({"chapters": {}}, "/chapters: the key: 'chapters' is not one of"),
    ]
    for data, expected in bad:
        found = VALIDATE.errors(data)
        assert any(e.startswith(expected) for e in found), (data, found)


def test_kuzbass_schema_prints_it(capsys):
    assert main(["schema"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out) == SCHEMA
