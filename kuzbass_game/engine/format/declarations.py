"""Story-wide declarations: variables, computed values and routines, from the manifest or any file.

A chapter can keep its own state beside its scenes, so adding a file never means editing the
manifest. Declarations are read before any node is compiled (the loader orders the files), in
two steps: every variable first, then computed values and routines, which are checked against
all the variables and against the computed values and routines declared before them (so a
routine can never run itself, directly or through another).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TypeVar

import yaml

from kuzbass_game.engine.core import expr
from kuzbass_game.engine.core.diagnostics import Mark
from kuzbass_game.engine.core.model import Computed, Routine, Variable
from kuzbass_game.engine.format.reader import IDENTIFIER, Entries, Reader, already, did_you_mean

VARIABLE_KEYS = ("type", "default", "min", "max", "label", "description", "values", "show_if")
COMPUTED_KEYS = ("value", "label", "description", "show_if")
ROUTINE_KEYS = ("effects", "label")
RESERVED_NAMES = {"and", "or", "not", "true", "false", "min", "max", "if", "visited", "visits"}
TYPE_DEFAULTS: dict[str, expr.Value] = {"int": 0, "bool": False, "text": ""}
MAX_LABEL = 24
MAX_DESCRIPTION = 200


class Declarations:
    """Every name the story declares, wherever it is declared; reports a name declared twice."""

    def __init__(self) -> None:
        self.variables: dict[str, Variable] = {}
        self.computed: dict[str, Computed] = {}
        self.routines: dict[str, Routine] = {}
        self.marks: dict[str, Mark] = {}  # every declared name -> where it is declared
        self.reads: set[str] = set()  # names read by computed values, routines and show_if conditions
        # show_if conditions wait until every variable and computed value is known.
        self.pending_show_if: list[tuple[str, yaml.Node, Reader]] = []
        # What a scope needs of them, kept up to date as each name is declared: a scope is a view
        # of these, so 5,000 computed values over 50,000 variables build no 5,000 copies of them.
        self._types: dict[str, str] = {}
        self._bounds: dict[str, tuple[int | None, int | None]] = {}
        self._enums: dict[str, tuple[str, ...]] = {}
        self._computed_typed: dict[str, expr.Typed] = {}
        self._routines_run: dict[str, expr.Effects] = {}
        self._scopes: dict[frozenset[str] | None, expr.Scope] = {}

    # ---------------------------------------------------------------- scope
    def scope(self, nodes: frozenset[str] | None = None) -> expr.Scope:
        """What an expression may name: every name declared so far (a live view, grown as names are declared)."""
        found = self._scopes.get(nodes)
        if found is None:
            found = self._scopes[nodes] = expr.Scope(self._types, nodes, self._bounds, self._enums, self._computed_typed, self._routines_run)
        return found

    def _add_variable(self, var: Variable) -> None:
        self.variables[var.name] = var
        self._types[var.name] = var.type
        if var.type == "int":
            self._bounds[var.name] = (var.minimum, var.maximum)
        if var.values:
            self._enums[var.name] = var.values

    def _claim(self, reader: Reader, key_node: yaml.Node, name: str, kind: str) -> bool:
        """Take a name for a declaration; False (after reporting) when it cannot be used."""
        if not IDENTIFIER.match(name) or name in RESERVED_NAMES:
            reader.error(key_node, f"'{name}' cannot be a {kind} name: use letters, digits and underscores, not a reserved word")
            return False
        if name in self.marks:
            reader.error(key_node, f"'{name}' is declared twice{already(self.marks[name], 'declared')}")
            return False
        self.marks[name] = reader.mark(key_node)
        return True

    # ---------------------------------------------------------------- variables
    def read_variables(self, reader: Reader, node: yaml.Node) -> None:
        entries = reader.mapping(node, "'variables'")
        for name, (key_node, spec_node) in (entries or {}).items():
            if self._claim(reader, key_node, name, "variable"):
                self._add_variable(self._variable(reader, name, key_node, spec_node))

    def _variable(self, reader: Reader, name: str, key_node: yaml.Node, spec_node: yaml.Node) -> Variable:
        """A variable, as declared. One whose declaration is wrong (each mistake reported here) is
        still declared, with what could be read of it (of the type that fits anywhere when its type
        is not known), so that the texts, conditions and effects using it are not reported again as
        using an unknown variable: the story still does not load, for the mistake in the declaration."""
        what = f"variable '{name}'"
        spec = reader.mapping(spec_node, what, VARIABLE_KEYS, required=("type",))
        if spec is None:
            return Variable(name, expr.ANY, 0, mark=reader.mark(key_node))
        var_type = self._variable_type(reader, spec, what)
        minimum, maximum = self._bounds_of(reader, spec, what, var_type)
        values = self._values(reader, spec, what, var_type)
        default = self._default(reader, spec, what, var_type, (minimum, maximum), values)
        label = self._short_text(reader, spec, "label", what, MAX_LABEL, "will be cut in the status panel")
        description = self._short_text(reader, spec, "description", what, MAX_DESCRIPTION, "is too long for a tooltip")
        if "show_if" in spec:
            self.pending_show_if.append((name, spec["show_if"][1], reader))
            if label is None:
                reader.warning(spec["show_if"][0], f"{what} has 'show_if' but no 'label', so it is never shown")
        return Variable(name, var_type, default, minimum, maximum, label, reader.mark(key_node), values, description)

    @staticmethod
    def _variable_type(reader: Reader, spec: Entries, what: str) -> str:
        """The declared type; the type that fits anywhere when it is missing or unknown (reported)."""
        if "type" not in spec:  # reported by the mapping, as a missing key
            return expr.ANY
        var_type = reader.text(spec["type"][1], f"the type of {what}")
        if var_type in expr.TYPES:
            return var_type
        if var_type is not None:
            reader.error(spec["type"][1], f"unknown type '{var_type}' for {what}{did_you_mean(var_type, expr.TYPES)}; use int, bool or text")
        return expr.ANY

    @staticmethod
    def _bounds_of(reader: Reader, spec: Entries, what: str, var_type: str) -> tuple[int | None, int | None]:
        """An int variable's range; unbounded on a side that is wrong (reported)."""
        bounds: dict[str, int | None] = {"min": None, "max": None}
        for bound in bounds:
            if bound not in spec or var_type == expr.ANY:  # a variable of no known type: its type is the mistake
                continue
            if var_type != "int":
                reader.error(spec[bound][0], f"'{bound}' only applies to int variables; {what} is {var_type}")
                continue
            bounds[bound] = reader.integer(spec[bound][1], f"'{bound}' of {what}")
        minimum, maximum = bounds["min"], bounds["max"]
        if minimum is not None and maximum is not None and minimum > maximum:
            reader.error(spec["max"][1], f"'max' of {what} ({maximum}) is below its 'min' ({minimum})")
            return None, None
        return minimum, maximum

    @staticmethod
    def _default(
        reader: Reader, spec: Entries, what: str, var_type: str, bounds: tuple[int | None, int | None], values: tuple[str, ...] | None
    ) -> expr.Value:
        """The declared default, checked against the range and the values; the type's own when it is wrong."""
        default: expr.Value = values[0] if values else TYPE_DEFAULTS.get(var_type, 0)
        if "default" not in spec or var_type == expr.ANY:
            return default
        value_node = spec["default"][1]
        read = {"int": reader.integer, "bool": reader.boolean}.get(var_type)
        got = read(value_node, f"the default of {what}") if read else reader.text(value_node, f"the default of {what}", allow_empty=True)
        if got is None:
            return default
        minimum, maximum = bounds
        if var_type == "int" and ((minimum is not None and got < minimum) or (maximum is not None and got > maximum)):  # type: ignore[operator]
            reader.error(value_node, f"the default of {what} ({got}) is outside its range {minimum}..{maximum}")
        if values and got not in values:
            reader.error(value_node, f'the default of {what} ("{got}") is not one of its values{did_you_mean(str(got), values)}: {", ".join(values)}')
        return got

    @staticmethod
    def _values(reader: Reader, spec: Entries, what: str, var_type: str) -> tuple[str, ...] | None:
        """An enumerated text variable's values. When one of them is wrong (reported), none are
        enforced: which value was meant is not known, so a comparison or an assignment with it,
        or the default, is not reported again as a value the variable never holds."""
        if "values" not in spec or var_type == expr.ANY:
            return None
        if var_type != "text":
            reader.error(spec["values"][0], f"'values' only applies to text variables; {what} is {var_type}")
            return None
        items = reader.sequence(spec["values"][1], f"the values of {what}")
        values: list[str] = []
        broken = False
        for item in items or ():
            value = reader.text(item, f"a value of {what}")
            if value is None:
                broken = True
            elif value in values:
                reader.error(item, f'the value "{value}" is listed twice for {what}')
            else:
                values.append(value)
        if items is not None and not items:
            reader.error(spec["values"][1], f"{what} lists no values")
        return None if broken else tuple(values) or None

    @staticmethod
    def _short_text(reader: Reader, spec: Entries, key: str, what: str, limit: int, why: str) -> str | None:
        if key not in spec:
            return None
        text = reader.text(spec[key][1], f"the {key} of {what}")
        if text is not None and len(text) > limit:
            reader.warning(spec[key][1], f"the {key} of {what} is longer than {limit} characters and {why}")
        return None if text is None else text.strip()

    # ---------------------------------------------------------------- computed values and routines
    def read_computed(self, reader: Reader, node: yaml.Node) -> None:
        entries = reader.mapping(node, "'computed'")
        for name, (key_node, spec_node) in (entries or {}).items():
            if not self._claim(reader, key_node, name, "computed value"):
                continue
            what = f"computed value '{name}'"
            spec: Entries
            if isinstance(spec_node, yaml.ScalarNode):  # `pay: "15 + grade * 5"`, the short form
                spec = {"value": (key_node, spec_node)}
            else:
                spec = reader.mapping(spec_node, what, COMPUTED_KEYS, required=("value",)) or {}
            source, typed = self._computed_value(reader, spec, what)
            label = self._short_text(reader, spec, "label", what, MAX_LABEL, "will be cut in the status panel")
            description = self._short_text(reader, spec, "description", what, MAX_DESCRIPTION, "is too long for a tooltip")
            if "show_if" in spec:
                self.pending_show_if.append((name, spec["show_if"][1], reader))
            self.computed[name] = Computed(name, typed.type, source, typed.run, label, description, None, reader.mark(key_node))
            self._computed_typed[name] = expr.Typed(typed.type, typed.run)

    def _computed_value(self, reader: Reader, spec: Entries, what: str) -> tuple[str, expr.Typed]:
        """A computed value's source and checked expression. One whose value is missing or does not
        compile (the mistake reported here) is still declared, of the type that fits anywhere, so
        that the texts, conditions and effects reading it are not reported again as reading an
        unknown variable: the story still does not load, for the one mistake."""
        if "value" not in spec:  # reported by the mapping, as a missing key
            return "", _broken(what)
        value_node = spec["value"][1]
        source = reader.expression_source(value_node, f"the value of {what}")
        if source is None:
            return "", _broken(what)
        try:
            typed, reads = expr.compile_value(source, self.scope())
        except expr.ExprError as err:
            reader.sink.error(reader.locate(value_node, err.offset), f"in the value of {what}: {err.message}")
            return source, _broken(what)
        self.reads |= reads
        return source, typed

    def read_routines(self, reader: Reader, node: yaml.Node) -> None:
        entries = reader.mapping(node, "'routines'")
        for name, (key_node, body) in (entries or {}).items():
            if not self._claim(reader, key_node, name, "routine"):
                continue
            what = f"routine '{name}'"
            label = None
            effects: expr.Effects | None
            if isinstance(body, yaml.MappingNode):  # {effects: ..., label: "the monthly issue"}
                spec = reader.mapping(body, what, ROUTINE_KEYS, required=("effects",)) or {}
                if "label" in spec:
                    label = reader.text(spec["label"][1], f"the label of {what}")
                    label = label.strip() if label else None
                # Without its effects (reported by the mapping) it is declared empty, as a broken one is.
                effects = self._routine_effects(reader, spec["effects"][1], what) if "effects" in spec else expr.joined([])
            else:
                effects = self._routine_effects(reader, body, what)
            if effects is not None:
                self.reads |= effects.reads
                self.routines[name] = Routine(name, effects, reader.mark(key_node), label)
                self._routines_run[name] = effects

    def _routine_effects(self, reader: Reader, body: yaml.Node, what: str) -> expr.Effects | None:
        """A routine's effects: a string of them, or a list of strings. A routine whose effects are
        wrong (each mistake reported here) is still declared, with what compiled of them, so that the
        effects that run it are not reported again as running an unknown routine."""
        parts = reader.sequence(body, what) if isinstance(body, yaml.SequenceNode) else [body]
        compiled: list[expr.Effects] = []
        failed = False
        for part in parts or ():
            source = reader.text(part, what)
            if source is None:
                failed = True
                continue
            try:
                compiled.append(expr.compile_effects(source, self.scope()))
            except expr.ExprError as err:
                reader.sink.error(reader.locate(part, err.offset), f"in {what}: {err.message}")
                failed = True
                continue
            for offset, message in compiled[-1].warnings:  # `lamp_oil =- 1`, as in a choice's effects
                reader.sink.warning(reader.locate(part, offset), f"in {what}: {message}")
        if any(ref for e in compiled for ref in e.node_refs):
            reader.error(body, f"{what} uses visited()/visits(); a routine runs anywhere, so give it only variables")
            return expr.joined([])
        if not compiled:
            return expr.joined([]) if failed else None
        return expr.joined(compiled)

    def finish(self) -> None:
        """Compile the `show_if` conditions, now that every variable and computed value is known."""
        scope = self.scope()
        for name, node, reader in self.pending_show_if:
            source = reader.expression_source(node, f"'show_if' of '{name}'")
            if source is None:
                continue
            try:
                condition = expr.compile_condition(source, scope)
            except expr.ExprError as err:
                reader.sink.error(reader.locate(node, err.offset), f"in 'show_if' of '{name}': {err.message}")
                continue
            if condition.node_refs:
                reader.error(node, f"'show_if' of '{name}' cannot use visited()/visits()")
                continue
            self.reads |= condition.reads
            if name in self.variables:
                self.variables[name] = _with(self.variables[name], show_if=condition)
            elif name in self.computed:
                self.computed[name] = _with(self.computed[name], show_if=condition)
        self.pending_show_if.clear()


_Declared = TypeVar("_Declared", Variable, Computed)


def _broken(what: str) -> expr.Typed:
    """What a broken declaration's name reads as: a value of the type that fits anywhere, never
    worked out (a story with the mistake does not load, so nothing ever runs this)."""

    def run(v: Mapping[str, expr.Value], n: Mapping[str, int]) -> expr.Value:
        raise expr.EvalError(f"{what} does not compile")

    return expr.Typed(expr.ANY, run)


def _with(item: _Declared, *, show_if: expr.Condition) -> _Declared:
    return replace(item, show_if=show_if)
