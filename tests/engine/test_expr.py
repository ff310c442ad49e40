"""The expression language: values, precedence, types, errors with their offsets, and
property tests (random input never crashes the parser; arithmetic matches a reference)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kuzbass_game.engine.core.expr import (
    INT_LIMIT,
    MAX_DEPTH,
    MAX_SOURCE_LENGTH,
    MAX_TEXT,
    EvalError,
    ExprError,
    Scope,
    compile_condition,
    compile_effects,
    compile_expression,
)

SCOPE = Scope({"gold": "int", "flag": "bool", "name": "text", "zero": "int"}, frozenset({"start", "market", "end"}))
VARS = {"gold": 5, "flag": True, "name": "Anna", "zero": 0}
VISITS = {"start": 2, "market": 1}


def value(source: str, variables=None, visits=None):
    return compile_expression(source, SCOPE).run(VARS if variables is None else variables, VISITS if visits is None else visits)


def holds(source: str, variables=None, visits=None):
    result = compile_condition(source, SCOPE).run(VARS if variables is None else variables, VISITS if visits is None else visits)
    assert isinstance(result, bool)
    return result


def error(compile_fn, source: str) -> ExprError:
    with pytest.raises(ExprError) as info:
        compile_fn(source, SCOPE)
    return info.value


def effects(source: str, variables=None) -> dict:
    """Apply compiled effects the way the runtime does (without its range clamping)."""
    state = dict(VARS if variables is None else variables)
    for assignment in compile_effects(source, SCOPE).assignments:
        got = assignment.run(state, VISITS)
        if assignment.op == "+=":
            got = state[assignment.name] + got
        elif assignment.op == "-=":
            got = state[assignment.name] - got
        state[assignment.name] = got
    return state


# ---------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("42", 42),
        ("0", 0),
        ("true", True),
        ("false", False),
        ('"hello"', "hello"),
        ('""', ""),
        (r'"say \"hi\"\n\tok\\"', 'say "hi"\n\tok\\'),
        ("gold", 5),
        ("flag", True),
        ("name", "Anna"),
        ("99999999999999999999999999", INT_LIMIT),  # literals are clamped, never unbounded
        ("1000000000001", INT_LIMIT),
    ],
)
def test_literals_and_variables(source, expected):
    got = value(source)
    assert got == expected and type(got) is type(expected)


def test_unknown_escape_in_text_points_at_the_backslash():
    err = error(compile_expression, r'name == "a\qb"')
    assert err.message == r"unknown escape \q in text"
    assert err.offset == 10


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 - 4 - 3", 3),  # left to right
        ("100 / 10 / 5", 2),
        ("2 * 3 % 4", 2),  # (2*3)%4, same level, left to right
        ("-2 * 3", -6),
        ("2 - -3", 5),
        ("- - 4", 4),
        ("-(2 + 3)", -5),
        ("gold * 2 + 1", 11),
        ("1 + 2 == 3", True),  # arithmetic binds tighter than comparison
        ("not 1 == 2", True),  # 'not' is looser than comparison
        ("not true or true", True),  # 'not' is tighter than 'or'
        ("not (true or true)", False),
        ("true or false and false", True),  # 'and' is tighter than 'or'
        ("(true or false) and false", False),
        ('gold > 3 and flag and name == "Anna"', True),
        ("not not flag", True),
    ],
)
def test_precedence(source, expected):
    assert value(source) == expected


def test_and_or_short_circuit_skips_a_division_by_zero():
    assert holds("false and 1 / zero == 0") is False
    assert holds("true or 1 / zero == 0") is True
    with pytest.raises(EvalError):
        holds("true and 1 / zero == 0")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("gold == 5", True),
        ("gold != 5", False),
        ("gold < 6", True),
        ("gold <= 5", True),
        ("gold > 5", False),
        ("gold >= 6", False),
        ('name == "Anna"', True),
        ('name != "anna"', True),
        ('"apple" < "banana"', True),
        ('"b" >= "ab"', True),
        ("flag == true", True),
        ("flag != flag", False),
    ],
)
def test_comparisons(source, expected):
    assert holds(source) is expected


@pytest.mark.parametrize(("source", "offset"), [("1 < 2 < 3", 6), ("gold == 5 == true", 10), ("1 <= 2 >= 0", 7)])
def test_comparisons_cannot_be_chained(source, offset):
    err = error(compile_condition, source)
    assert err.message == "comparisons cannot be chained; join them with 'and'"
    assert err.offset == offset


def test_ordering_bools_is_refused():
    err = error(compile_condition, "flag < true")
    assert err.message == "'<' needs numbers or text, not true/false"
    assert err.offset == 5


@pytest.mark.parametrize(
    ("dividend", "divisor"),
    [(7, 2), (-7, 2), (7, -2), (-7, -2), (0, 3), (6, 3), (-6, 3), (1, 7), (-1, 7), (13, -13)],
)
def test_division_truncates_toward_zero_with_the_matching_remainder(dividend, divisor):
    quotient, remainder = value(f"{dividend} / {divisor}"), value(f"{dividend} % {divisor}")
    assert quotient == int(dividend / divisor)  # truncation, as on paper: -7 / 2 == -3
    assert remainder == dividend - divisor * quotient  # so -7 % 2 == -1, not Python's 1
    assert quotient * divisor + remainder == dividend
    assert abs(remainder) < abs(divisor)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("gold / zero", "division by zero"),
        ("gold % zero", "remainder (%) by zero"),
        ("7 / 0", "division by zero"),
        ("7 % (gold - 5)", "remainder (%) by zero"),
    ],
)
def test_division_by_zero_compiles_and_fails_when_evaluated(source, message):
    compiled = compile_expression(source, SCOPE)  # no error yet: zero is only known while playing
    with pytest.raises(EvalError, match=r"^" + message.replace("(", r"\(").replace(")", r"\)") + "$"):
        compiled.run(VARS, VISITS)


def test_constant_condition_dividing_by_zero_compiles_and_fails_when_evaluated():
    condition = compile_condition("1 / 0 == 0", SCOPE)
    assert condition.constant is None
    with pytest.raises(EvalError, match="division by zero"):
        condition.run({}, {})


def test_constant_conditions_are_folded():
    assert compile_condition("1 + 1 == 2", SCOPE).constant is True
    assert compile_condition("false", SCOPE).constant is False
    assert compile_condition("gold == 2", SCOPE).constant is None
    assert compile_condition('visited("start")', SCOPE).constant is None


def test_arithmetic_is_clamped_to_the_int_limit():
    assert value("1000000000000 + 1") == INT_LIMIT
    assert value("1000000 * 1000000 * 1000000") == INT_LIMIT
    assert value("-1000000000000 - 5") == -INT_LIMIT


def test_text_concatenation():
    assert value('name + " " + "Beyer"') == "Anna Beyer"
    assert value('"" + ""') == ""
    long = "x" * 9000
    assert value("name + name", {**VARS, "name": long}) == "x" * MAX_TEXT  # capped


def test_min_and_max():
    assert value("min(3, gold, 10)") == 3
    assert value("max(3, gold, 10)") == 10
    assert value("max(gold - 8, 0)") == 0
    assert value("min(-1, -2)") == -2
    err = error(compile_expression, "min(1)")
    assert (err.message, err.offset) == ("min() takes at least two numbers", 0)
    err = error(compile_expression, "max(1, flag)")
    assert (err.message, err.offset) == ("max() needs a number (int) but got true/false (bool)", 7)


def test_visited_and_visits():
    assert holds('visited("start")') is True
    assert holds('visited("end")') is False
    assert value('visits("start")') == 2
    assert value('visits("end")') == 0
    assert holds('visits("market") + 1 == 2')
    assert compile_condition('visited("market") or visited("end")', SCOPE).node_refs == (("market", 8, "visited"), ("end", 29, "visited"))


def test_visited_of_an_unknown_node_suggests_the_nearest():
    err = error(compile_condition, 'visited("strat")')
    assert err.message == "visited() names an unknown node 'strat'; did you mean 'start'?"
    assert err.offset == 8
    err = error(compile_condition, 'visits("nowhere") > 0')
    assert err.message == "visits() names an unknown node 'nowhere'"


@pytest.mark.parametrize(
    ("source", "message", "offset"),
    [
        ("visited(start)", 'visited() takes one node id in double quotes, like visited("start")', 8),
        ("visited(name)", 'visited() takes one node id in double quotes, like visited("node_id")', 0),
        ('visits("start", "end") > 0', 'visits() takes one node id in double quotes, like visits("node_id")', 0),
        ("visited()", 'visited() takes one node id in double quotes, like visited("node_id")', 0),
    ],
)
def test_visited_needs_one_quoted_node_id(source, message, offset):
    err = error(compile_condition, source)
    assert (err.message, err.offset) == (message, offset)


# ---------------------------------------------------------------- type errors


@pytest.mark.parametrize(
    ("compile_fn", "source", "message", "offset"),
    [
        (compile_expression, "gold + true", "'+' needs a number (int) but got true/false (bool)", 5),
        (compile_expression, "flag * 2", "'*' needs a number (int) but got true/false (bool)", 5),
        (compile_expression, '"x" + 1', "'+' needs a number (int) but got text", 4),
        (compile_expression, "gold - name", "'-' needs a number (int) but got text", 5),
        (compile_expression, "-flag", "unary '-' needs a number (int) but got true/false (bool)", 0),
        (compile_expression, "not gold", "'not' needs true/false (bool) but got a number (int)", 0),
        (compile_expression, "flag and 1", "'and' needs true/false (bool) but got a number (int)", 5),
        (compile_expression, '"yes" or flag', "'or' needs true/false (bool) but got text", 6),
        (compile_condition, "gold == true", "cannot compare a number (int) with true/false (bool) using '=='", 5),
        (compile_condition, 'gold < "5"', "cannot compare a number (int) with text using '<'", 5),
        (compile_condition, "gold", "a condition must be true/false (bool), but this is a number (int)", 0),
        (compile_condition, "name + name", "a condition must be true/false (bool), but this is text", 0),
        (compile_effects, "gold = true", "'gold' (int) needs a number (int) but got true/false (bool)", 5),
        (compile_effects, 'flag = "yes"', "'flag' (bool) needs true/false (bool) but got text", 5),
        (compile_effects, "name = 3", "'name' (text) needs text but got a number (int)", 5),
        (compile_effects, "gold += flag", "'gold' (int) needs a number (int) but got true/false (bool)", 5),
        (compile_effects, 'name -= "a"', "'-=' needs an int variable; 'name' is text", 5),
        (compile_effects, "flag -= 1", "'-=' needs an int variable; 'flag' is bool", 5),
        (compile_effects, "flag += true", "'+=' cannot be used on bool variable 'flag'", 5),
    ],
)
def test_type_errors(compile_fn, source, message, offset):
    err = error(compile_fn, source)
    assert err.message == message
    assert err.offset == offset


# ---------------------------------------------------------------- names and syntax


@pytest.mark.parametrize(
    ("compile_fn", "source", "message", "offset"),
    [
        (compile_condition, "glod > 1", "unknown variable 'glod'; did you mean 'gold'?", 0),
        (compile_condition, "gold > 1 and flga", "unknown variable 'flga'; did you mean 'flag'?", 13),
        (compile_condition, "xyzzy", "unknown variable 'xyzzy'", 0),
        (compile_effects, 'gold += 1; nmae = "x"', "unknown variable 'nmae'; did you mean 'name'?", 11),
        (compile_effects, "gold = glod", "unknown variable 'glod'; did you mean 'gold'?", 7),
        (compile_condition, "mx(1, 2) == 2", "unknown function 'mx'; did you mean 'max'?; the functions are min, max, if, visited, visits", 0),
        (compile_condition, "random(3) == 1", "unknown function 'random'; the functions are min, max, if, visited, visits", 0),
    ],
)
def test_unknown_names(compile_fn, source, message, offset):
    err = error(compile_fn, source)
    assert (err.message, err.offset) == (message, offset)


@pytest.mark.parametrize(
    ("compile_fn", "source", "message", "offset"),
    [
        (compile_condition, "gold >= ", "expected a value but found the end of the expression", 8),
        (compile_condition, "gold >= and", "expected a value but found 'and'", 8),
        (compile_condition, "gold $ 1", "unexpected character '$'", 5),
        (compile_condition, "gold > 1 && flag", "unexpected character '&'", 9),
        (compile_condition, 'name == "Anna', 'unterminated text: a closing " is missing', 8),
        (compile_condition, "(gold > 1", "expected ')' but found the end of the expression", 9),
        (compile_condition, "gold > 1)", "unexpected ')' after the condition", 8),
        (compile_condition, "gold > 1 flag", "unexpected 'flag' after the condition", 9),
        (compile_condition, "min(1 2) > 0", "expected ')' but found '2'", 6),
        (compile_condition, "", "the condition is empty", 0),
        (compile_condition, "   ", "the condition is empty", 0),
        (compile_condition, "gold > 1;", "unexpected ';' after the condition", 8),
        (compile_effects, "", "the effect is empty", 0),
        (compile_effects, ";", "an effect starts with a variable name, not ';'", 0),
        (compile_effects, "5 = gold", "an effect starts with a variable name, not '5'", 0),
        (compile_effects, "gold = 1 flag = true", "expected ';' between effects but found 'flag'", 9),
        (compile_effects, "gold", "expected '=', '+=' or '-=' after 'gold' but found the end of the expression", 4),
        (compile_effects, "gold := 1", "unexpected character ':'", 5),
    ],
)
def test_syntax_errors_and_their_offsets(compile_fn, source, message, offset):
    err = error(compile_fn, source)
    assert (err.message, err.offset) == (message, offset)


def test_equals_versus_double_equals_hints():
    err = error(compile_effects, "gold == 3")
    assert err.message == "expected '=', '+=' or '-=' after 'gold' but found '=='; use '==' only in conditions"
    assert err.offset == 5
    err = error(compile_condition, "gold = 3")
    assert err.message == "unexpected '=' after the condition; to compare, write '=='"
    assert err.offset == 5


def test_effects_with_semicolons():
    compiled = compile_effects('gold += 2; flag = not flag; name = name + "!";', SCOPE)
    assert [(a.name, a.op, a.offset) for a in compiled.assignments] == [("gold", "+=", 0), ("flag", "=", 11), ("name", "=", 28)]
    assert effects('gold += 2; flag = not flag; name = name + "!";') == {**VARS, "gold": 7, "flag": False, "name": "Anna!"}
    # later assignments see earlier ones
    assert effects("gold = 1; gold += gold * 3; gold -= 1")["gold"] == 3
    assert effects('name += " K."')["name"] == "Anna K."


def test_effects_record_node_references():
    compiled = compile_effects('gold = visits("market") + visits("start")', SCOPE)
    assert compiled.node_refs == (("market", 14, "visits"), ("start", 33, "visits"))


def test_limits_on_length_and_depth():
    err = error(compile_condition, "true or " * 600 + "true")
    assert err.message == f"expression is too long (4804 characters; the limit is {MAX_SOURCE_LENGTH})"
    err = error(compile_condition, "(" * 100 + "true" + ")" * 100)
    assert err.message == f"expression nests deeper than {MAX_DEPTH} levels"
    assert err.offset == MAX_DEPTH  # the first '(' past the limit
    # depth within the limit is fine
    assert holds("(" * 50 + "true" + ")" * 50)
    for source in ("not " * 900 + "true", "-" * 3000 + "1 == 1", "min(" * 300 + "1" + ", 1)" * 300 + " == 1"):
        assert "nests deeper" in error(compile_condition, source).message


def test_ten_thousand_parentheses_are_an_expression_error_not_a_recursion_error():
    for source in ("(" * 10_000 + "1" + ")" * 10_000, "(" * 10_000, "not " * 10_000 + "true", "-" * 10_000 + "1"):
        with pytest.raises(ExprError):
            compile_condition(source, SCOPE)
        with pytest.raises(ExprError):
            compile_effects("gold = " + source, SCOPE)


def test_unicode_and_odd_whitespace_do_not_crash():
    assert holds("gold\t>\n1")
    assert error(compile_condition, "gold > 1 ∧ flag").message == "unexpected character '∧'"
    assert holds("gold\u00a0>\u20031")  # Unicode spaces are spaces


# ---------------------------------------------------------------- properties

TOKENS = [
    "(",
    ")",
    " ",
    "gold",
    "flag",
    "name",
    "zero",
    "glod",
    "0",
    "1",
    "7",
    "12345678901234567890123",
    "+",
    "-",
    "*",
    "/",
    "%",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "=",
    "+=",
    "-=",
    ";",
    ",",
    "and",
    "or",
    "not",
    "true",
    "false",
    '"x"',
    '"',
    "\\",
    '"\\n"',
    "min",
    "max",
    "visited",
    "visits",
    '("start")',
    '"nope"',
    "foo",
    "$",
    "\n",
    "é",
    "\x00",
]
FAST = settings(max_examples=200, deadline=timedelta(milliseconds=500), suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.one_of(st.text(max_size=120), st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)))
def test_random_text_only_ever_raises_expr_error(source):
    for compile_fn in (compile_condition, compile_effects, compile_expression):
        started = time.perf_counter()
        try:
            compiled = compile_fn(source, SCOPE)
        except ExprError as err:
            assert err.message and 0 <= err.offset <= len(source)
            continue
        finally:
            assert time.perf_counter() - started < 0.5
        # whatever compiles runs, failing at most with EvalError (a division by zero)
        try:
            if compile_fn is compile_effects:
                effects(source)
            else:
                compiled.run(VARS, VISITS)
        except EvalError:
            pass


def _truncdiv(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return -q if (a < 0) != (b < 0) else q


def _clamp(v: int) -> int:
    return max(-INT_LIMIT, min(INT_LIMIT, v))


def reference(tree, gold: int):
    """Evaluate a tree the way the story language defines it, independently of the engine."""
    kind = tree[0]
    if kind == "lit":
        return tree[1]
    if kind == "var":
        return gold
    if kind == "neg":
        return _clamp(-reference(tree[1], gold))
    op, left, right = tree[1], reference(tree[2], gold), reference(tree[3], gold)
    if op == "+":
        return _clamp(left + right)
    if op == "-":
        return _clamp(left - right)
    if op == "*":
        return _clamp(left * right)
    if right == 0:
        raise ZeroDivisionError
    q = _truncdiv(left, right)
    return q if op == "/" else left - right * q


PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "%": 2}


def source_of(tree, minimal: bool) -> str:
    """Fully parenthesised, or with only the parentheses precedence needs (tests precedence too)."""
    kind = tree[0]
    if kind == "lit":
        return str(tree[1])
    if kind == "var":
        return "gold"
    if kind == "neg":
        inner = source_of(tree[1], minimal)
        return f"-{inner}" if minimal and tree[1][0] in ("lit", "var", "neg") else f"-({inner})"
    op, left, right = tree[1], tree[2], tree[3]
    lhs, rhs = source_of(left, minimal), source_of(right, minimal)
    if not minimal:
        return f"({lhs} {op} {rhs})"
    if left[0] == "bin" and PREC[left[1]] < PREC[op]:
        lhs = f"({lhs})"
    if right[0] == "bin" and PREC[right[1]] <= PREC[op]:
        rhs = f"({rhs})"
    return f"{lhs} {op} {rhs}"


trees = st.recursive(
    st.one_of(st.tuples(st.just("lit"), st.integers(0, 1000)), st.just(("var",))),
    lambda sub: st.one_of(
        st.tuples(st.just("neg"), sub),
        st.tuples(st.just("bin"), st.sampled_from("+-*/%"), sub, sub),
    ),
    max_leaves=25,
)


@FAST
@given(trees, st.integers(-50, 50), st.booleans())
def test_arithmetic_matches_a_reference_evaluator(tree, gold, minimal):
    source = source_of(tree, minimal)
    compiled = compile_expression(source, SCOPE)
    assert compiled.type == "int"
    variables = {**VARS, "gold": gold}
    try:
        expected = reference(tree, gold)
    except ZeroDivisionError:
        with pytest.raises(EvalError):
            compiled.run(variables, VISITS)
        return
    assert compiled.run(variables, VISITS) == expected
    # and the same value inside a condition and an effect
    assert compile_condition(f"{source} == {expected}" if expected >= 0 else f"{source} == -{-expected}", SCOPE).run(variables, VISITS) is True
    assert effects(f"gold = {source}", variables)["gold"] == expected


@FAST
@given(st.integers(-30, 30), st.integers(-30, 30), st.sampled_from(["==", "!=", "<", "<=", ">", ">="]))
def test_comparisons_match_python(a, b, op):
    import operator

    ops = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
    assert holds(f"gold {op} {b}" if b >= 0 else f"gold {op} -{-b}", {**VARS, "gold": a}) is ops[op](a, b)


@FAST
@given(st.integers(-30, 30), st.integers(-30, 30), st.sampled_from(["==", "!=", "<", "<=", ">", ">="]))
def test_a_constant_on_the_left_compares_like_python(a, b, op):
    import operator

    ops = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
    literal = str(b) if b >= 0 else f"-{-b}"
    assert holds(f"{literal} {op} gold", {**VARS, "gold": a}) is ops[op](b, a)


@FAST
@given(st.integers(-20, 20), st.integers(0, 30), st.sampled_from(["+=", "-="]), st.booleans())
def test_adding_a_constant_or_an_expression_clamps_alike(start, amount, op, as_expression):
    """`gold += 3` takes a shortcut (the constant is held in the closure): same result as `gold += zero + 3`."""
    bounded = Scope(SCOPE.variables, SCOPE.nodes, {"gold": (-10, 10)})
    operand = f"zero + {amount}" if as_expression else str(amount)
    variables = {**VARS, "gold": start, "zero": 0}
    compile_effects(f"gold {op} {operand}", bounded).apply(variables, VISITS)
    raw = start + amount if op == "+=" else start - amount
    assert variables["gold"] == max(-10, min(10, raw))
