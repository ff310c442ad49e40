"""The story's expression language: conditions and effects, parsed once, type-checked, never `eval`ed.

Grammar (lowest precedence first)::

    statements := statement (';' statement)* [';']
    statement  := NAME ('=' | '+=' | '-=') expr
    expr       := or
    or         := and ('or' and)*
    and        := not ('and' not)*
    not        := 'not' not | compare
    compare    := sum [('==' | '!=' | '<' | '<=' | '>' | '>=') sum]
    sum        := product (('+' | '-') product)*
    product    := unary (('*' | '/' | '%') unary)*
    unary      := '-' unary | atom
    atom       := INT | STRING | 'true' | 'false' | NAME | NAME '(' [expr (',' expr)*] ')' | '(' expr ')'

Each parsed tree is compiled into nested Python closures taking the game's variables
and visit counts, which is what makes evaluation fast without ever calling `eval`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast
from collections.abc import Callable, Mapping, Sequence

INT, BOOL, TEXT = "int", "bool", "text"
TYPES = (INT, BOOL, TEXT)
# The type of a name whose declaration is broken (a computed value whose expression does not
# compile, a variable of an unknown type): that mistake is reported where it is written, and the
# name is still declared with this type, which fits wherever any type is wanted, so that each use
# of the name is not reported again. Never a declared type, and never in a story that loads.
ANY = "any"

MAX_SOURCE_LENGTH = 4000
MAX_DEPTH = 64
# Operators in one expression: each compiles to a closure calling the next, so a chain of
# 1,500 `+` would exhaust Python's stack when evaluated. Far beyond anything a story needs.
MAX_OPERATORS = 256
INT_LIMIT = 10**12  # ints are clamped here so no story can grow a number without bound

Value = int | bool | str
Evaluator = Callable[[Mapping[str, Value], Mapping[str, int]], Value]
# An evaluator the checker has proved to give an int, or a text: `Typed.type` says which, and
# `_require` checks it before a closure is built on it, but no Python type ties the two, so the
# compiler casts once, while compiling; the closures it builds are then typed as what they compute.
IntEvaluator = Callable[[Mapping[str, Value], Mapping[str, int]], int]
TextEvaluator = Callable[[Mapping[str, Value], Mapping[str, int]], str]
# Performs an assignment (or all of an effect's) on a game's variables, given its visit counts.
Applier = Callable[[dict[str, Value], Mapping[str, int]], None]
Bounds = Mapping[str, tuple[int | None, int | None]]  # declared int ranges (None: unbounded on that side)


class ExprError(Exception):
    """A syntax or type error at a character offset inside the expression source."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class EvalError(Exception):
    """A problem only visible while playing, such as dividing by zero."""


_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<int>[0-9]+)
  | (?P<str>"(?:[^"\\\n]|\\.)*")
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\+=|-=|==|!=|<=|>=|[-+*/%<>=(),;])
    """,
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "true", "false"}
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}


@dataclass(frozen=True)
class Token:
    kind: str  # int, str, name, op, kw, end
    text: str
    offset: int


def tokenize(source: str) -> list[Token]:
    if len(source) > MAX_SOURCE_LENGTH:
        raise ExprError(f"expression is too long ({len(source)} characters; the limit is {MAX_SOURCE_LENGTH})")
    tokens: list[Token] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            char = source[pos]
            if char == '"':
                raise ExprError('unterminated text: a closing " is missing', pos)
            raise ExprError(f"unexpected character {char!r}", pos)
        kind = match.lastgroup or ""
        text = match.group()
        if kind == "name" and text in _KEYWORDS:
            kind = "kw"
        if kind != "ws":
            tokens.append(Token(kind, text, pos))
        pos = match.end()
    tokens.append(Token("end", "", len(source)))
    return tokens


def _unquote(token: Token) -> str:
    body = token.text[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            nxt = body[i + 1]
            if nxt not in _ESCAPES:
                raise ExprError(f"unknown escape \\{nxt} in text", token.offset + 1 + i)
            out.append(_ESCAPES[nxt])
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


# ---------------------------------------------------------------- typed tree


@dataclass(frozen=True)
class Typed:
    """A checked sub-expression: its static type and the closure that computes it."""

    type: str
    run: Evaluator
    const: bool = False  # True when the value cannot depend on the game state
    var: str | None = None  # the variable's name, when the expression is just that variable

    def constant_value(self) -> tuple[bool, Value | None]:
        """(True, value) when the value is known at compile time (so closures can hold it)."""
        if not self.const:
            return False, None
        try:
            return True, self.run({}, {})
        except EvalError:  # e.g. `1/0`: left to fail at play time, where the story says where
            return False, None


@dataclass(frozen=True)
class Scope:
    """What an expression may refer to: declared variables (name -> type) and node ids."""

    variables: Mapping[str, str]
    nodes: frozenset[str] | None = None  # None: don't check node names (used by property tests)
    bounds: Bounds | None = None  # declared int ranges: effects clamp into them
    # Enumerated text variables (name -> the values they may hold): a literal outside the set is an error.
    enums: Mapping[str, tuple[str, ...]] | None = None
    # Computed values (name -> their checked expression), read like variables but never assigned.
    computed: Mapping[str, Typed] | None = None
    # Routines (name -> their compiled effects), run by a bare name in effects.
    routines: Mapping[str, Effects] | None = None


@dataclass(frozen=True)
class Assignment:
    name: str  # the variable assigned, or the routine run (op "run")
    op: str  # =, +=, -=, or "run" for a routine called by name
    run: Evaluator | None
    offset: int
    apply: Applier  # performs it on a variables dict


def _assigner(name: str, op: str, value_of: Typed, var_type: str, bounds: Bounds | None) -> Applier:
    """One closure doing the whole assignment: compute, combine (+=, -=), clamp to the range, store.

    `v[name]` holds a value of the variable's declared type, `var_type`, which the checker matched
    with the operand's; no Python type can say so of one key of a dict, hence the ignores below.
    """
    lo, hi = (bounds or {}).get(name, (None, None))
    lo = -INT_LIMIT if lo is None else lo
    hi = INT_LIMIT if hi is None else hi
    run = value_of.run
    known, k = value_of.constant_value()
    if var_type == INT and known and op in ("+=", "-="):  # `food += 1`: no call for the operand
        constant = cast(int, k)  # known, so not None; an int, as `_require` checked
        step = constant if op == "+=" else -constant

        def apply(v: dict[str, Value], n: Mapping[str, int]) -> None:
            value = v[name] + step  # type: ignore[operator]  # an int variable
            v[name] = lo if value < lo else hi if value > hi else value

        return apply
    if var_type == INT:
        int_run = cast(IntEvaluator, run)  # an int, as `_require` checked
        if op == "=":

            def apply(v: dict[str, Value], n: Mapping[str, int]) -> None:
                value = int_run(v, n)
                v[name] = lo if value < lo else hi if value > hi else value
        elif op == "+=":

            def apply(v: dict[str, Value], n: Mapping[str, int]) -> None:
                value = v[name] + int_run(v, n)  # type: ignore[operator]  # an int variable
                v[name] = lo if value < lo else hi if value > hi else value
        else:

            def apply(v: dict[str, Value], n: Mapping[str, int]) -> None:
                value = v[name] - int_run(v, n)  # type: ignore[operator]  # an int variable
                v[name] = lo if value < lo else hi if value > hi else value
    elif var_type == TEXT and op == "+=":
        text_run = cast(TextEvaluator, run)  # a text, as `_require` checked

        def apply(v: dict[str, Value], n: Mapping[str, int]) -> None:
            v[name] = _cap_text(v[name] + text_run(v, n))  # type: ignore[operator, arg-type]  # a text variable
    else:

        def apply(v: dict[str, Value], n: Mapping[str, int]) -> None:
            v[name] = run(v, n)

    return apply


def _clamp_int(value: int) -> int:
    if value > INT_LIMIT:
        return INT_LIMIT
    if value < -INT_LIMIT:
        return -INT_LIMIT
    return value


class _Parser:
    def __init__(self, source: str, scope: Scope) -> None:
        self.tokens = tokenize(source)
        self.pos = 0
        self.scope = scope
        self.depth = 0
        self.operators = 0
        # Faults the checker can prove (a constant zero divisor): (offset, message), reported as warnings.
        self.warnings: list[tuple[int, str]] = []
        self.node_refs: list[tuple[str, int, str]] = []  # (node id, offset, function name)
        # Names read (variables, computed values, routines run): the checker warns about
        # variables that nothing reads, which would make a choice that sets one a false choice.
        self.reads: set[str] = set()
        self.writes: set[str] = set()  # variables assigned, routines' included (a step's undo record reads it)

    # -- token helpers
    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def operator(self, token: Token) -> Token:
        """Count a binary operator, refusing chains long enough to exhaust the stack at play time."""
        self.operators += 1
        if self.operators > MAX_OPERATORS:
            raise ExprError(f"the expression has more than {MAX_OPERATORS} operators; split it into several effects or conditions", token.offset)
        return token

    def at(self, text: str) -> bool:
        return self.tok.text == text and self.tok.kind in ("op", "kw")

    def expect(self, text: str) -> Token:
        if not self.at(text):
            raise ExprError(f"expected '{text}' but found {self._describe(self.tok)}", self.tok.offset)
        return self.advance()

    @staticmethod
    def _describe(token: Token) -> str:
        return "the end of the expression" if token.kind == "end" else f"'{token.text}'"

    # -- grammar
    def expression(self) -> Typed:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(f"expression nests deeper than {MAX_DEPTH} levels", self.tok.offset)
        try:
            return self.or_()
        finally:
            self.depth -= 1

    def or_(self) -> Typed:
        left = self.and_()
        while self.at("or"):
            op = self.operator(self.advance())
            right = self.and_()
            left = _logic("or", left, right, op.offset)
        return left

    def and_(self) -> Typed:
        left = self.not_()
        while self.at("and"):
            op = self.operator(self.advance())
            right = self.not_()
            left = _logic("and", left, right, op.offset)
        return left

    def not_(self) -> Typed:
        if self.at("not"):
            op = self.advance()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ExprError(f"expression nests deeper than {MAX_DEPTH} levels", op.offset)
            inner = self.not_()
            self.depth -= 1
            _require(inner, BOOL, "'not'", op.offset)
            run = inner.run
            return Typed(BOOL, lambda v, n: not run(v, n), inner.const)
        return self.compare()

    def compare(self) -> Typed:
        first = self.tok
        left = self.sum()
        if self.tok.kind == "op" and self.tok.text in _COMPARE:
            op = self.advance()
            second = self.tok
            right = self.sum()
            if self.tok.kind == "op" and self.tok.text in _COMPARE:
                raise ExprError("comparisons cannot be chained; join them with 'and'", self.tok.offset)
            self._check_enum(left, right, second.offset)
            self._check_enum(right, left, first.offset)
            return _comparison(op.text, left, right, op.offset)
        return left

    def _glued(self) -> str | None:
        """The operator written right after the current token with no space between (`=-`, `=>`)."""
        token = self.tok
        following = self.tokens[self.pos + 1] if self.pos + 1 < len(self.tokens) else None
        if following is not None and following.kind == "op" and following.offset == token.offset + len(token.text):
            return following.text
        return None

    def _check_enum(self, variable: Typed, other: Typed, offset: int) -> None:
        """`trade == "minor"`: a literal that an enumerated variable can never hold is a mistake."""
        enums = self.scope.enums
        if not enums or variable.var is None or variable.var not in enums:
            return
        known, value = other.constant_value()
        if known and isinstance(value, str) and value not in enums[variable.var]:
            allowed = enums[variable.var]
            raise ExprError(f"'{variable.var}' is never \"{value}\"{_suggest(value, allowed)}; its values are {', '.join(allowed)}", offset)

    def sum(self) -> Typed:
        left = self.product()
        while self.tok.kind == "op" and self.tok.text in ("+", "-"):
            op = self.operator(self.advance())
            right = self.product()
            left = _arith(op.text, left, right, op.offset)
        return left

    def product(self) -> Typed:
        left = self.unary()
        while self.tok.kind == "op" and self.tok.text in ("*", "/", "%"):
            op = self.operator(self.advance())
            start = self.tok
            right = self.unary()
            if op.text in ("/", "%") and right.constant_value() == (True, 0):
                self.warnings.append((start.offset, f"'{op.text}' by zero: this fails whenever it is evaluated"))
            left = _arith(op.text, left, right, op.offset)
        return left

    def unary(self) -> Typed:
        if self.tok.kind == "op" and self.tok.text == "-":
            op = self.advance()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ExprError(f"expression nests deeper than {MAX_DEPTH} levels", op.offset)
            inner = self.unary()
            self.depth -= 1
            _require(inner, INT, "unary '-'", op.offset)
            run = cast(IntEvaluator, inner.run)  # an int: required just above
            return Typed(INT, lambda v, n: _clamp_int(-run(v, n)), inner.const)
        return self.atom()

    def atom(self) -> Typed:
        token = self.tok
        if token.kind == "int":
            self.advance()
            value = _clamp_int(int(token.text)) if len(token.text) < 20 else INT_LIMIT
            return Typed(INT, lambda v, n: value, True)
        if token.kind == "str":
            self.advance()
            text = _unquote(token)
            return Typed(TEXT, lambda v, n: text, True)
        if token.kind == "kw" and token.text in ("true", "false"):
            self.advance()
            flag = token.text == "true"
            return Typed(BOOL, lambda v, n: flag, True)
        if token.kind == "op" and token.text == "(":
            self.advance()
            inner = self.expression()
            self.expect(")")
            return inner
        if token.kind == "name":
            self.advance()
            if self.at("("):
                return self.call(token)
            return self.variable(token)
        raise ExprError(f"expected a value but found {self._describe(token)}", token.offset)

    def variable(self, token: Token) -> Typed:
        name = token.text
        var_type = self.scope.variables.get(name)
        if var_type is None:
            computed = (self.scope.computed or {}).get(name)
            if computed is not None:
                self.reads.add(name)
                return Typed(computed.type, computed.run)
            known = [*self.scope.variables, *(self.scope.computed or {})]
            if name in (self.scope.routines or {}):
                raise ExprError(f"'{name}' is a routine: run it as an effect of its own, not inside an expression", token.offset)
            raise ExprError(f"unknown variable '{name}'{_suggest(name, known)}", token.offset)
        self.reads.add(name)
        return Typed(var_type, lambda v, n: v[name], var=name)

    def call(self, name_token: Token) -> Typed:
        name = name_token.text
        self.expect("(")
        if name in ("visited", "visits") and self.tok.kind == "name" and self.tok.text not in self.scope.variables:
            raise ExprError(f'{name}() takes one node id in double quotes, like {name}("{self.tok.text}")', self.tok.offset)
        args: list[tuple[Typed, Token]] = []
        if not self.at(")"):
            while True:
                start = self.tok
                args.append((self.expression(), start))
                if not self.at(","):
                    break
                self.advance()
        self.expect(")")
        if name in ("min", "max"):
            if len(args) < 2:
                raise ExprError(f"{name}() takes at least two numbers", name_token.offset)
            for arg, start in args:
                _require(arg, INT, f"{name}()", start.offset)
            runs = [arg.run for arg, _ in args]
            pick = min if name == "min" else max
            return Typed(INT, lambda v, n: pick(r(v, n) for r in runs), all(a.const for a, _ in args))
        if name == "if":
            if len(args) != 3:
                raise ExprError("if() takes three values: if(condition, value when true, value when false)", name_token.offset)
            (cond, cond_start), (yes, yes_start), (no, no_start) = args
            _require(cond, BOOL, "the first value of if()", cond_start.offset)
            if yes.type != no.type and ANY not in (yes.type, no.type):
                raise ExprError(
                    f"both values of if() must have one type, but the first is {_article(yes.type)} and the second {_article(no.type)}",
                    no_start.offset,
                )
            test, when_true, when_false = cond.run, yes.run, no.run
            kind = no.type if yes.type == ANY else yes.type
            return Typed(kind, lambda v, n: when_true(v, n) if test(v, n) else when_false(v, n), cond.const and yes.const and no.const)
        if name in ("visited", "visits"):
            if len(args) != 1 or args[0][1].kind != "str" or not args[0][0].const:
                raise ExprError(f'{name}() takes one node id in double quotes, like {name}("node_id")', name_token.offset)
            node_id = str(args[0][0].run({}, {}))
            if self.scope.nodes is not None and node_id not in self.scope.nodes:
                raise ExprError(f"{name}() names an unknown node '{node_id}'{_suggest(node_id, self.scope.nodes)}", args[0][1].offset)
            self.node_refs.append((node_id, args[0][1].offset, name))
            if name == "visited":
                return Typed(BOOL, lambda v, n: n.get(node_id, 0) > 0)
            return Typed(INT, lambda v, n: n.get(node_id, 0))
        known = ("min", "max", "if", "visited", "visits")
        raise ExprError(f"unknown function '{name}'{_suggest(name, known)}; the functions are {', '.join(known)}", name_token.offset)

    def statements(self) -> list[Assignment]:
        result: list[Assignment] = []
        while self.tok.kind != "end":
            result.append(self.statement())
            if self.at(";"):
                self.advance()
            elif self.tok.kind != "end":
                raise ExprError(f"expected ';' between effects but found {self._describe(self.tok)}", self.tok.offset)
        return result

    def statement(self) -> Assignment:
        target = self.tok
        if target.kind != "name":
            raise ExprError(f"an effect starts with a variable name, not {self._describe(target)}", target.offset)
        self.advance()
        routines = self.scope.routines or {}
        if target.text in routines:
            if not (self.tok.kind == "end" or self.at(";")):
                raise ExprError(f"'{target.text}' is a routine: write its name alone to run it", self.tok.offset)
            routine = routines[target.text]
            self.reads.add(target.text)
            self.writes |= routine.writes
            return Assignment(target.text, "run", None, target.offset, routine.apply)
        var_type = self.scope.variables.get(target.text)
        if var_type is None:
            if target.text in (self.scope.computed or {}):
                raise ExprError(f"'{target.text}' is a computed value: it is worked out from other variables and cannot be assigned", target.offset)
            known = [*self.scope.variables, *routines]
            if self.tok.kind == "end" or self.at(";"):
                raise ExprError(f"unknown routine '{target.text}'{_suggest(target.text, known)}", target.offset)
            raise ExprError(f"unknown variable '{target.text}'{_suggest(target.text, known)}", target.offset)
        op = self.tok
        self.writes.add(target.text)
        if not (op.kind == "op" and op.text in ("=", "+=", "-=")):
            hint = "; use '==' only in conditions" if op.text == "==" else ""
            raise ExprError(f"expected '=', '+=' or '-=' after '{target.text}' but found {self._describe(op)}{hint}", op.offset)
        # Only a lone '=' can have an operator glued to it by mistake: `trust +=-1` adds minus one.
        glued = self._glued() if op.text == "=" else None
        if glued in ("<", ">"):
            raise ExprError(
                f"'={glued}' is not an operator: did you mean '{glued}='? Comparisons belong in conditions ('if'); "
                f"effects assign with '=', '+=' or '-='",
                op.offset,
            )
        if glued == "+":
            raise ExprError("'=+' is not an operator: did you mean '+='?", op.offset)
        if glued == "-":  # `trust =- 1` is `trust = -1`: valid, and almost never what was meant
            self.warnings.append(
                (
                    op.offset,
                    f"'=-' sets '{target.text}' to minus the value; did you mean '-='? (to set a negative value, write '{target.text} = -...')",
                )
            )
        self.advance()
        value_start = self.tok
        value = self.expression()
        if op.text == "=":
            _require(value, var_type, f"'{target.text}' ({var_type})", op.offset)
            self._check_enum(Typed(var_type, value.run, var=target.text), value, value_start.offset)
            return Assignment(target.text, "=", value.run, target.offset, _assigner(target.text, "=", value, var_type, self.scope.bounds))
        if op.text == "-=" and var_type not in (INT, ANY):
            raise ExprError(f"'-=' needs an int variable; '{target.text}' is {var_type}", op.offset)
        if var_type == BOOL:
            raise ExprError(f"'{op.text}' cannot be used on bool variable '{target.text}'", op.offset)
        _require(value, var_type, f"'{target.text}' ({var_type})", op.offset)
        return Assignment(target.text, op.text, value.run, target.offset, _assigner(target.text, op.text, value, var_type, self.scope.bounds))


_COMPARE = ("==", "!=", "<", "<=", ">", ">=")


def _suggest(name: str, choices: Iterable[str]) -> str:
    # launch time: only an expression with a mistake in it needs a suggestion (and difflib)
    from kuzbass_game.engine.core.suggest import did_you_mean

    return did_you_mean(name, choices)


def _require(item: Typed, wanted: str, where: str, offset: int) -> None:
    if item.type != wanted and ANY not in (item.type, wanted):
        raise ExprError(f"{where} needs {_article(wanted)} but got {_article(item.type)}", offset)


def _article(type_name: str) -> str:
    return {INT: "a number (int)", BOOL: "true/false (bool)", TEXT: "text", ANY: "a value"}[type_name]


def _logic(op: str, left: Typed, right: Typed, offset: int) -> Typed:
    _require(left, BOOL, f"'{op}'", offset)
    _require(right, BOOL, f"'{op}'", offset)
    a, b = left.run, right.run
    const = left.const and right.const
    if op == "and":
        return Typed(BOOL, lambda v, n: a(v, n) and b(v, n), const)
    return Typed(BOOL, lambda v, n: a(v, n) or b(v, n), const)


def _comparison(op: str, left: Typed, right: Typed, offset: int) -> Typed:
    if left.type != right.type and ANY not in (left.type, right.type):
        raise ExprError(f"cannot compare {_article(left.type)} with {_article(right.type)} using '{op}'", offset)
    if op not in ("==", "!=") and BOOL in (left.type, right.type):
        raise ExprError(f"'{op}' needs numbers or text, not true/false", offset)
    a, b = left.run, right.run
    const = left.const and right.const
    known, k = right.constant_value()
    if left.var is not None and known:  # `food > 2`, the commonest condition: one dict lookup
        return Typed(BOOL, _variable_against_constant(op, left.var, cast(Value, k)), const)  # known: k is not None
    # Ordering compares two ints or two texts (checked above), never an int with a text; mypy
    # sees two `Value`s, which could be either, hence the ignores.
    fn = {
        "==": lambda v, n: a(v, n) == b(v, n),
        "!=": lambda v, n: a(v, n) != b(v, n),
        "<": lambda v, n: a(v, n) < b(v, n),  # type: ignore[operator]
        "<=": lambda v, n: a(v, n) <= b(v, n),  # type: ignore[operator]
        ">": lambda v, n: a(v, n) > b(v, n),  # type: ignore[operator]
        ">=": lambda v, n: a(v, n) >= b(v, n),  # type: ignore[operator]
    }[op]
    return Typed(BOOL, fn, const)


def _variable_against_constant(op: str, name: str, k: Value) -> Evaluator:
    return {
        "==": lambda v, n: v[name] == k,
        "!=": lambda v, n: v[name] != k,
        "<": lambda v, n: v[name] < k,
        "<=": lambda v, n: v[name] <= k,
        ">": lambda v, n: v[name] > k,
        ">=": lambda v, n: v[name] >= k,
    }[op]


def _arith(op: str, left: Typed, right: Typed, offset: int) -> Typed:
    const = left.const and right.const
    if op == "+" and TEXT in (left.type, right.type) and {left.type, right.type} <= {TEXT, ANY}:  # `"x" + broken` is text
        ta, tb = cast(TextEvaluator, left.run), cast(TextEvaluator, right.run)  # texts: checked just above
        return Typed(TEXT, lambda v, n: _cap_text(ta(v, n) + tb(v, n)), const)
    _require(left, INT, f"'{op}'", offset)
    _require(right, INT, f"'{op}'", offset)
    a, b = cast(IntEvaluator, left.run), cast(IntEvaluator, right.run)  # ints: required just above
    if op == "+":
        return Typed(INT, lambda v, n: _clamp_int(a(v, n) + b(v, n)), const)
    if op == "-":
        return Typed(INT, lambda v, n: _clamp_int(a(v, n) - b(v, n)), const)
    if op == "*":
        return Typed(INT, lambda v, n: _clamp_int(a(v, n) * b(v, n)), const)
    return Typed(INT, _division(op, a, b), const)


def _division(op: str, a: IntEvaluator, b: IntEvaluator) -> IntEvaluator:
    """Integer division truncating toward zero (as on paper), and the matching remainder."""

    def run(v: Mapping[str, Value], n: Mapping[str, int]) -> int:
        divisor = b(v, n)
        if divisor == 0:
            raise EvalError("division by zero" if op == "/" else "remainder (%) by zero")
        dividend = a(v, n)
        quotient = abs(dividend) // abs(divisor)
        if (dividend < 0) != (divisor < 0):
            quotient = -quotient
        return quotient if op == "/" else dividend - divisor * quotient

    return run


MAX_TEXT = 10_000


def _cap_text(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT]


# ---------------------------------------------------------------- public API


@dataclass(frozen=True, slots=True)
class Condition:
    source: str
    run: Evaluator
    node_refs: tuple[tuple[str, int, str], ...] = ()
    constant: bool | None = None  # the value, when it cannot depend on the game state
    reads: frozenset[str] = frozenset()  # variables, computed values and routines it reads
    warnings: tuple[tuple[int, str], ...] = ()  # faults provable from the source: (offset, message)


@dataclass(frozen=True, slots=True)
class Effects:
    source: str
    assignments: tuple[Assignment, ...]
    node_refs: tuple[tuple[str, int, str], ...] = ()
    reads: frozenset[str] = frozenset()  # names read on the right of assignments, and routines run
    warnings: tuple[tuple[int, str], ...] = ()  # faults provable from the source: (offset, message)
    writes: frozenset[str] = frozenset()  # variables these effects may assign, routines' included
    # apply(variables, visits): run every assignment in order (raises EvalError, e.g. on a
    # division by zero). An attribute holding one closure, not a method: it runs at every step.
    apply: Applier = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        steps = tuple(a.apply for a in self.assignments)
        if len(steps) == 1:
            apply = steps[0]
        else:

            def apply(variables: dict[str, Value], visits: Mapping[str, int]) -> None:
                for step in steps:
                    step(variables, visits)

        object.__setattr__(self, "apply", apply)


def compile_condition(source: str, scope: Scope) -> Condition:
    """Parse and type-check a condition; it must be a bool."""
    parser = _Parser(source, scope)
    if parser.tok.kind == "end":
        raise ExprError("the condition is empty", 0)
    typed = parser.expression()
    if parser.tok.kind != "end":
        glued = parser._glued() if parser.tok.text == "=" else None
        if glued in ("<", ">"):  # `kopecks => 3`: the comparison written back to front
            raise ExprError(f"'={glued}' is not an operator: did you mean '{glued}='?", parser.tok.offset)
        hint = "; to compare, write '=='" if parser.tok.text == "=" else ""
        raise ExprError(f"unexpected {parser._describe(parser.tok)} after the condition{hint}", parser.tok.offset)
    if typed.type not in (BOOL, ANY):
        raise ExprError(f"a condition must be true/false (bool), but this is {_article(typed.type)}", 0)
    constant = None
    if typed.const:
        try:
            constant = bool(typed.run({}, {}))
        except EvalError:  # e.g. `1/0 == 0`: left for play time to report, like any division by zero
            constant = None
    return Condition(source, typed.run, tuple(parser.node_refs), constant, frozenset(parser.reads), tuple(parser.warnings))


def compile_expression(source: str, scope: Scope) -> Typed:
    """Parse and type-check a single expression of any type (computed values, vote sizes)."""
    return compile_value(source, scope)[0]


def compile_value(source: str, scope: Scope, wanted: str | None = None) -> tuple[Typed, frozenset[str]]:
    """An expression of any type (or of type `wanted`), with the names it reads."""
    parser = _Parser(source, scope)
    if parser.tok.kind == "end":
        raise ExprError("the expression is empty", 0)
    typed = parser.expression()
    if parser.tok.kind != "end":
        raise ExprError(f"unexpected {parser._describe(parser.tok)} after the expression", parser.tok.offset)
    if wanted is not None and typed.type not in (wanted, ANY):
        raise ExprError(f"this must be {_article(wanted)}, but it is {_article(typed.type)}", 0)
    return typed, frozenset(parser.reads)


def joined(parts: Sequence[Effects]) -> Effects:
    """Several effects (a list in the YAML) run as one, in order."""
    if len(parts) == 1:
        return parts[0]
    return Effects(
        "; ".join(e.source for e in parts),
        tuple(a for e in parts for a in e.assignments),
        tuple(ref for e in parts for ref in e.node_refs),
        frozenset().union(*(e.reads for e in parts)),
        (),
        frozenset().union(*(e.writes for e in parts)),
    )


def compile_effects(source: str, scope: Scope) -> Effects:
    """Parse and type-check `;`-separated assignments."""
    parser = _Parser(source, scope)
    assignments = parser.statements()
    if not assignments:
        raise ExprError("the effect is empty", 0)
    return Effects(source, tuple(assignments), tuple(parser.node_refs), frozenset(parser.reads), tuple(parser.warnings), frozenset(parser.writes))
