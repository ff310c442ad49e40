"""The expression language's rules, one test per rule, with the expected values written out.

Written from the mutation run of `core/expr.py` (issue 23, `docs/dev/testing.md`): each test here
holds one rule that a surviving mutant broke unseen. Where a rule reads the game state, it is read
on every side of every operator (a variable and a visit count), as a closure that forgot to pass
the variables or the visits down would otherwise go unnoticed.
"""

from __future__ import annotations

import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kuzbass_game.engine.core.expr import (
    INT_LIMIT,
    MAX_DEPTH,
    MAX_OPERATORS,
    MAX_SOURCE_LENGTH,
    MAX_TEXT,
    EvalError,
    ExprError,
    Scope,
    compile_condition,
    compile_effects,
    compile_expression,
    compile_value,
    joined,
)

VARIABLES = {"gold": "int", "flag": "bool", "name": "text", "zero": "int"}
NODES = frozenset({"start", "market", "end"})
SCOPE = Scope(VARIABLES, NODES)
BOUNDED = Scope(VARIABLES, NODES, bounds={"gold": (0, 10)})
STATE = {"gold": 5, "flag": True, "name": "Anna", "zero": 0}
VISITS = {"start": 2, "market": 1}  # "end" never visited


def error(compile_fn, source: str, scope: Scope = SCOPE) -> ExprError:
    with pytest.raises(ExprError) as info:
        compile_fn(source, scope)
    return info.value


def value(source: str, variables=None):
    return compile_expression(source, SCOPE).run(dict(STATE if variables is None else variables), VISITS)


def after(source: str, scope: Scope = SCOPE, **start) -> dict:
    """The variables after the effects run, as the game runs them (`Effects.apply`)."""
    variables = {**STATE, **start}
    compile_effects(source, scope).apply(variables, VISITS)
    return variables


# ---------------------------------------------------------------- the error itself


def test_an_expr_error_is_its_message_and_defaults_to_offset_zero():
    err = ExprError("bad")
    assert (str(err), err.message, err.offset) == ("bad", "bad", 0)
    too_long = error(compile_condition, "1" * (MAX_SOURCE_LENGTH + 1))
    message = f"expression is too long ({MAX_SOURCE_LENGTH + 1} characters; the limit is {MAX_SOURCE_LENGTH})"
    assert (str(too_long), too_long.offset) == (message, 0)
    at_limit = "1" + " " * (MAX_SOURCE_LENGTH - 1)
    assert value(at_limit) == 1  # the limit itself is allowed


# ---------------------------------------------------------------- every operand reads the state


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # visits: start 2, market 1, end 0; gold 5
        ('1 + visits("start")', 3),
        ('visits("start") + 1', 3),
        ('10 - visits("start")', 8),
        ('visits("start") - 10', -8),
        ('3 * visits("start")', 6),
        ('visits("start") * 3', 6),
        ('7 / visits("start")', 3),
        ('visits("start") / 2', 1),
        ('7 % visits("start")', 1),
        ('visits("start") % 2', 0),
        ('-visits("start")', -2),
        ('min(visits("start"), 5)', 2),
        ('min(5, visits("market"))', 1),
        ('max(visits("start"), 0)', 2),
        ('max(0, visits("start"))', 2),
        ('if(visited("start"), visits("start"), 9)', 2),
        ('if(visited("end"), 9, visits("start"))', 2),
        ('if(visited("end"), "a", "b") + if(visited("start"), "c", "d")', "bc"),
        ('if(visited("start"), "a", "b") + "!"', "a!"),
        ("gold + zero", 5),
        ("gold - zero", 5),
        ("gold * 2", 10),
        ("gold / 2", 2),
        ("gold % 3", 2),
        ("zero + 1 - gold", -4),
        ("17 / gold", 3),
        ("17 % gold", 2),
        ("name + name", "AnnaAnna"),
    ],
)
def test_each_operand_is_evaluated_with_the_variables_and_the_visits(source, expected):
    assert value(source) == expected


@pytest.mark.parametrize(
    ("op", "two_one", "five_two", "two_five"),
    [
        ("==", False, False, False),
        ("!=", True, True, True),
        ("<", False, False, True),
        ("<=", False, False, True),
        (">", True, True, False),
        (">=", True, True, False),
    ],
)
def test_a_comparison_reads_the_state_on_both_sides(op, two_one, five_two, two_five):
    # visits: start 2, market 1; gold + zero is 5
    assert compile_condition(f'visits("start") {op} visits("market")', SCOPE).run(STATE, VISITS) is two_one
    assert compile_condition(f'gold + zero {op} visits("start") + zero', SCOPE).run(STATE, VISITS) is five_two
    assert compile_condition(f'visits("start") + zero {op} gold + zero', SCOPE).run(STATE, VISITS) is two_five
    assert compile_condition(f'visits("start") {op} visits("start")', SCOPE).run(STATE, VISITS) is (op in ("==", "<=", ">="))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('visited("start") and visited("market")', True),
        ('visited("start") and visited("end")', False),
        ('visited("end") or visited("start")', True),
        ('visited("end") or visited("end")', False),
        ('visited("start") or visited("end")', True),
        ('not visited("end")', True),
    ],
)
def test_and_or_not_read_the_visits_on_both_sides(source, expected):
    assert compile_condition(source, SCOPE).run(STATE, VISITS) is expected


# ---------------------------------------------------------------- a property: int expressions against Python

NODE_NAMES = ("start", "market", "end")
CMP = ("==", "!=", "<", "<=", ">", ">=")


def _clamp(x: int) -> int:
    return max(-INT_LIMIT, min(INT_LIMIT, x))


def _div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return -q if (a < 0) != (b < 0) else q


ints = st.recursive(
    st.one_of(
        st.tuples(st.just("lit"), st.integers(0, 30)),
        st.just(("gold",)),
        st.tuples(st.just("visits"), st.sampled_from(NODE_NAMES)),
    ),
    lambda sub: st.one_of(
        st.tuples(st.just("neg"), sub),
        st.tuples(st.just("bin"), st.sampled_from("+-*/%"), sub, sub),
        st.tuples(st.sampled_from(["min", "max"]), st.lists(sub, min_size=2, max_size=3)),
        st.tuples(st.just("if"), st.sampled_from(CMP), sub, sub, sub, sub),
        st.tuples(st.sampled_from(["and", "or"]), st.sampled_from(CMP), sub, sub, st.sampled_from(NODE_NAMES), sub, sub),
    ),
    max_leaves=14,
)


def source_of(tree) -> str:
    kind = tree[0]
    if kind == "lit":
        return str(tree[1])
    if kind == "gold":
        return "gold"
    if kind == "visits":
        return f'visits("{tree[1]}")'
    if kind == "neg":
        return f"-({source_of(tree[1])})"
    if kind == "bin":
        return f"({source_of(tree[2])} {tree[1]} {source_of(tree[3])})"
    if kind in ("min", "max"):
        return f"{kind}({', '.join(source_of(t) for t in tree[1])})"
    if kind == "if":
        _, op, a, b, yes, no = tree
        return f"if({source_of(a)} {op} {source_of(b)}, {source_of(yes)}, {source_of(no)})"
    _, op, a, b, node, yes, no = tree  # and / or: a comparison joined with visited()
    return f'if(({source_of(a)} {op} {source_of(b)}) {kind} not visited("{node}"), {source_of(yes)}, {source_of(no)})'


def expected_of(tree, gold: int, visits: dict) -> int:
    """The value by Python's own integers (ZeroDivisionError for a zero divisor)."""
    kind = tree[0]
    if kind == "lit":
        return tree[1]
    if kind == "gold":
        return gold
    if kind == "visits":
        return visits.get(tree[1], 0)
    if kind == "neg":
        return _clamp(-expected_of(tree[1], gold, visits))
    if kind == "bin":
        op, a, b = tree[1], expected_of(tree[2], gold, visits), expected_of(tree[3], gold, visits)
        if op in "+-*":
            return _clamp(a + b if op == "+" else a - b if op == "-" else a * b)
        if b == 0:
            raise ZeroDivisionError
        return _div(a, b) if op == "/" else a - b * _div(a, b)
    if kind in ("min", "max"):
        values = [expected_of(t, gold, visits) for t in tree[1]]
        return min(values) if kind == "min" else max(values)
    compare = {"==": int.__eq__, "!=": int.__ne__, "<": int.__lt__, "<=": int.__le__, ">": int.__gt__, ">=": int.__ge__}
    if kind == "if":
        _, op, a, b, yes, no = tree
        test = compare[op](expected_of(a, gold, visits), expected_of(b, gold, visits))
    else:
        _, op, a, b, node, yes, no = tree
        left = compare[op](expected_of(a, gold, visits), expected_of(b, gold, visits))
        unvisited = visits.get(node, 0) == 0
        test = (left and unvisited) if kind == "and" else (left or unvisited)
    return expected_of(yes if test else no, gold, visits)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ints, st.integers(-40, 40), st.integers(0, 3), st.integers(0, 3))
def test_int_expressions_with_variables_and_visits_match_python(tree, gold, start, market):
    source = source_of(tree)
    visits = {"start": start, "market": market}
    compiled = compile_expression(source, SCOPE)
    assert compiled.type == "int"
    variables = {**STATE, "gold": gold}
    try:
        expected = expected_of(tree, gold, visits)
    except ZeroDivisionError:
        with pytest.raises(EvalError):
            compiled.run(variables, visits)
        return
    assert compiled.run(variables, visits) == expected
    # the same value assigned by an effect, and added to a variable (both clamped to the limit)
    compiled_effects = compile_effects(f"zero += {source}; gold = {source}", SCOPE)  # zero is not in the tree
    state = {**variables, "zero": 0}
    compiled_effects.apply(state, visits)
    assert (state["gold"], state["zero"]) == (expected, expected)


# ---------------------------------------------------------------- what is known at compile time


@pytest.mark.parametrize(
    ("source", "constant"),
    [
        ('"a" + "b" == "ab"', True),
        ("2 + 3 == 5", True),
        ("7 - 2 == 5", True),
        ("2 * 3 == 7", False),
        ("7 / 2 == 3", True),
        ("7 % 2 == 1", True),
        ("-3 < 0", True),
        ("true and true", True),
        ("true and false", False),
        ("false or true", True),
        ("false or false", False),
        ("not false", True),
        ("min(3, 1) == 1", True),
        ("max(3, 1) == 1", False),
        ("if(true, 1, 2) == 1", True),
        ('if(1 > 2, "x", "y") == "y"', True),
        ('"b" > "a"', True),
        # anything that reads the game is not known
        ("gold > 1", None),
        ("gold + 1 > 1", None),
        ("min(gold, 1) == 1", None),
        ("if(flag, 1, 2) == 1", None),
        ("if(true, gold, 2) == 1", None),
        ("if(true, 1, gold) == 1", None),
        ('visited("start")', None),
        ("true and flag", None),
        ("flag or true", None),
        ("1 / 0 == 0", None),  # fails when evaluated: left for play time
    ],
)
def test_a_condition_that_cannot_depend_on_the_game_is_known_when_compiled(source, constant):
    assert compile_condition(source, SCOPE).constant is constant


@pytest.mark.parametrize("op", ["+=", "-="])
def test_a_constant_operand_is_worked_out_once_yet_fails_as_any_division_by_zero(op):
    compiled = compile_effects(f"gold {op} 1 / 0", SCOPE)
    with pytest.raises(EvalError, match="division by zero"):
        compiled.apply(dict(STATE), VISITS)


@pytest.mark.parametrize("op", CMP)
def test_a_variable_compared_with_a_failing_constant_fails_when_evaluated(op):
    condition = compile_condition(f"gold {op} 1 / 0", SCOPE)
    assert condition.constant is None
    with pytest.raises(EvalError, match="division by zero"):
        condition.run(STATE, VISITS)


def test_a_constant_zero_divisor_is_a_warning_of_the_condition_and_the_effect():
    assert compile_condition("gold / 0 == 1", SCOPE).warnings == ((7, "'/' by zero: this fails whenever it is evaluated"),)
    assert compile_condition("gold % (1 - 1) == 1", SCOPE).warnings == ((7, "'%' by zero: this fails whenever it is evaluated"),)
    assert compile_effects("gold = gold / (2 * 0)", SCOPE).warnings == ((14, "'/' by zero: this fails whenever it is evaluated"),)
    assert compile_condition("gold / 1 == 1", SCOPE).warnings == ()
    assert compile_condition("gold * 0 == 0", SCOPE).warnings == ()
    assert compile_condition("gold % zero == 0", SCOPE).warnings == ()  # not known: no warning


# ---------------------------------------------------------------- assignments and clamping


@pytest.mark.parametrize(
    ("source", "gold"),
    [
        ("gold = 50", 10),
        ("gold = 0 - 50", 0),
        ("gold = 7", 7),
        ("gold = 10", 10),
        ("gold = 0", 0),
        ("gold = zero + 11", 10),
        ("gold = zero - 1", 0),
        ("gold += 50", 10),
        ("gold -= 50", 0),
        ("gold += zero + 50", 10),
        ("gold -= zero + 50", 0),
        ("gold += zero + 5", 10),
        ("gold -= zero + 5", 0),
        ('gold += visits("start")', 7),
        ('gold -= visits("start")', 3),
        ('gold = visits("start")', 2),
    ],
)
def test_int_assignments_clamp_into_the_declared_range(source, gold):
    assert after(source, BOUNDED)["gold"] == gold


def test_an_undeclared_range_is_the_int_limit():
    assert after("gold = 999999999999999 + 1")["gold"] == INT_LIMIT
    assert after("gold += 1", gold=INT_LIMIT)["gold"] == INT_LIMIT
    assert after("gold -= zero + 1", gold=-INT_LIMIT)["gold"] == -INT_LIMIT
    assert after("gold += zero + 1", gold=INT_LIMIT)["gold"] == INT_LIMIT


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('name += "!"', "Anna!"),
        ("name += name", "AnnaAnna"),
        ('name += if(visited("start"), "s", "t")', "Annas"),
        ('name = name + "x"', "Annax"),
        ('name = if(visited("end"), "x", "y")', "y"),
        ('name = "Bo"', "Bo"),
    ],
)
def test_text_assignments_set_or_append(source, expected):
    assert after(source)["name"] == expected


def test_appending_to_a_text_keeps_it_within_the_text_limit():
    assert after('name += "xyz"', name="a" * (MAX_TEXT - 1))["name"] == "a" * (MAX_TEXT - 1) + "x"
    assert after("name += name", name="b" * MAX_TEXT)["name"] == "b" * MAX_TEXT


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('flag = visited("end")', False),
        ("flag = not flag", False),
        ("flag = gold > 4", True),
        ('flag = visits("start") > 1', True),
    ],
)
def test_bool_assignments(source, expected):
    assert after(source)["flag"] is expected


def test_effects_run_every_assignment_in_order():
    state = after('gold = 1; gold += visits("start"); name = "B"; gold -= zero + 1', BOUNDED)
    assert (state["gold"], state["name"]) == (2, "B")
    state = after("gold = 3; gold = gold * 2")
    assert state["gold"] == 6


# ---------------------------------------------------------------- joined effects


def test_joined_effects_run_in_order_and_keep_what_each_reads_writes_and_names():
    first = compile_effects('gold = visits("start")', SCOPE)
    second = compile_effects('gold += zero; name = if(visited("market"), "m", "n")', SCOPE)
    both = joined([first, second])
    assert both.source == 'gold = visits("start"); gold += zero; name = if(visited("market"), "m", "n")'
    assert both.assignments == first.assignments + second.assignments
    assert both.node_refs == (("start", 14, "visits"), ("market", 32, "visited"))  # offsets in its own part
    assert both.reads == frozenset({"zero"})
    assert both.writes == frozenset({"gold", "name"})
    assert both.warnings == ()
    variables = {**STATE, "zero": 1}
    both.apply(variables, VISITS)
    assert (variables["gold"], variables["name"]) == (3, "m")


def test_one_effect_joined_is_itself_with_its_warnings():
    alone = compile_effects("gold =- 1", SCOPE)
    assert alone.warnings
    assert joined([alone]) is alone


# ---------------------------------------------------------------- compile_value


@pytest.mark.parametrize(
    ("source", "wanted", "message", "offset"),
    [
        ("", None, "the expression is empty", 0),
        ("  ", "int", "the expression is empty", 0),
        ("1 2", None, "unexpected '2' after the expression", 2),
        ("gold )", None, "unexpected ')' after the expression", 5),
        ("gold", "bool", "this must be true/false (bool), but it is a number (int)", 0),
        ("flag", "text", "this must be text, but it is true/false (bool)", 0),
        ('"x"', "int", "this must be a number (int), but it is text", 0),
    ],
)
def test_compile_value_errors(source, wanted, message, offset):
    with pytest.raises(ExprError) as info:
        compile_value(source, SCOPE, wanted)
    assert (info.value.message, info.value.offset) == (message, offset)


def test_compile_value_gives_the_value_and_the_names_it_reads():
    typed, reads = compile_value("gold + zero", SCOPE, "int")
    assert (typed.type, typed.run(STATE, VISITS), reads) == ("int", 5, frozenset({"gold", "zero"}))


# ---------------------------------------------------------------- operators glued to '='


@pytest.mark.parametrize(
    ("source", "message", "offset"),
    [
        ("gold => 3", "'=>' is not an operator: did you mean '>='?", 5),
        ("gold =< 3", "'=<' is not an operator: did you mean '<='?", 5),
        ("gold = < 3", "unexpected '=' after the condition; to compare, write '=='", 5),
        ("gold = 3", "unexpected '=' after the condition; to compare, write '=='", 5),
        ("flag )< 1", "unexpected ')' after the condition", 5),
        ("flag )> 1", "unexpected ')' after the condition", 5),
    ],
)
def test_a_condition_with_the_comparison_written_back_to_front(source, message, offset):
    err = error(compile_condition, source)
    assert (err.message, err.offset) == (message, offset)


@pytest.mark.parametrize(
    ("source", "message", "offset"),
    [
        (
            "gold =< 1",
            "'=<' is not an operator: did you mean '<='? Comparisons belong in conditions ('if'); effects assign with '=', '+=' or '-='",
            5,
        ),
        (
            "gold => 1",
            "'=>' is not an operator: did you mean '>='? Comparisons belong in conditions ('if'); effects assign with '=', '+=' or '-='",
            5,
        ),
        ("gold =+ 1", "'=+' is not an operator: did you mean '+='?", 5),
        ("zero = 1; gold =+1", "'=+' is not an operator: did you mean '+='?", 15),
        ("gold = < 1", "expected a value but found '<'", 7),
    ],
)
def test_an_effect_with_an_operator_glued_to_its_equals_sign(source, message, offset):
    err = error(compile_effects, source)
    assert (err.message, err.offset) == (message, offset)


def test_equals_minus_is_valid_but_warned():
    compiled = compile_effects("gold =- 1", SCOPE)
    message = "'=-' sets 'gold' to minus the value; did you mean '-='? (to set a negative value, write 'gold = -...')"
    assert compiled.warnings == ((5, message),)
    state = dict(STATE)
    compiled.apply(state, VISITS)
    assert state["gold"] == -1


@pytest.mark.parametrize("source", ["gold = -1", "gold = - 1", "gold =1", "gold -= -1", "gold = 0 -1"])
def test_a_minus_sign_not_glued_to_a_lone_equals_is_not_warned(source):
    assert compile_effects(source, SCOPE).warnings == ()


# ---------------------------------------------------------------- routines and computed values


def _scope_with_routines() -> Scope:
    payday = compile_effects("gold += 2; flag = false", SCOPE)
    rich = compile_expression("gold > 100", SCOPE)
    return Scope(VARIABLES, NODES, routines={"payday": payday}, computed={"rich": rich})


def test_a_routine_runs_by_its_name_alone():
    scope = _scope_with_routines()
    compiled = compile_effects("gold = 1; payday", scope)
    run = compiled.assignments[1]
    assert (run.name, run.op, run.run, run.offset) == ("payday", "run", None, 10)
    assert compiled.reads == frozenset({"payday"})
    assert compiled.writes == frozenset({"gold", "flag"})
    variables = dict(STATE)
    compiled.apply(variables, VISITS)
    assert (variables["gold"], variables["flag"]) == (3, False)


@pytest.mark.parametrize(
    ("compile_fn", "source", "message", "offset"),
    [
        (compile_effects, "payday = 1", "'payday' is a routine: write its name alone to run it", 7),
        (compile_effects, "gold = 1; payday 1", "'payday' is a routine: write its name alone to run it", 17),
        (compile_effects, "gold = 1; paydya", "unknown routine 'paydya'; did you mean 'payday'?", 10),
        (compile_effects, "gold = 1; paydya = 2", "unknown variable 'paydya'; did you mean 'payday'?", 10),
        (compile_effects, "gold = payday", "'payday' is a routine: run it as an effect of its own, not inside an expression", 7),
        (compile_condition, "flag and payday", "'payday' is a routine: run it as an effect of its own, not inside an expression", 9),
        (compile_effects, "gold = 1; rich = true", "'rich' is a computed value: it is worked out from other variables and cannot be assigned", 10),
        (compile_effects, "gold = 1; 5", "an effect starts with a variable name, not '5'", 10),
    ],
)
def test_routine_and_statement_errors(compile_fn, source, message, offset):
    err = error(compile_fn, source, _scope_with_routines())
    assert (err.message, err.offset) == (message, offset)


def test_a_computed_value_is_read_and_counted_as_read():
    condition = compile_condition("flag and not rich", _scope_with_routines())
    assert condition.reads == frozenset({"flag", "rich"})
    assert condition.run({**STATE, "gold": 101}, VISITS) is False
    assert condition.run(STATE, VISITS) is True


# ---------------------------------------------------------------- functions


@pytest.mark.parametrize(
    ("source", "message", "offset"),
    [
        ("gold == min(1)", "min() takes at least two numbers", 8),
        ("gold == max()", "max() takes at least two numbers", 8),
        ("gold == if(true, 1)", "if() takes three values: if(condition, value when true, value when false)", 8),
        ("gold == if(true, 1, 2, 3)", "if() takes three values: if(condition, value when true, value when false)", 8),
        ("gold == foo(1)", "unknown function 'foo'; the functions are min, max, if, visited, visits", 8),
        ("visits(start) > 0", 'visits() takes one node id in double quotes, like visits("start")', 7),
        ("gold > visits(market)", 'visits() takes one node id in double quotes, like visits("market")', 14),
        ("visited(1)", 'visited() takes one node id in double quotes, like visited("node_id")', 0),
        ("visited(true)", 'visited() takes one node id in double quotes, like visited("node_id")', 0),
        ('visits("st" + name) > 0', 'visits() takes one node id in double quotes, like visits("node_id")', 0),
        ("flag and visits(gold) > 0", 'visits() takes one node id in double quotes, like visits("node_id")', 9),
    ],
)
def test_function_errors_and_their_offsets(source, message, offset):
    err = error(compile_condition, source)
    assert (err.message, err.offset) == (message, offset)


# ---------------------------------------------------------------- limits


def test_an_expression_may_hold_up_to_the_operator_limit():
    assert MAX_OPERATORS == 256
    at_limit = "1" + " + 1" * 128 + " * 1" * 128
    assert value(at_limit) == 129
    assert compile_condition("true" + " and true" * 100 + " or false" * 155, SCOPE).constant is True
    over = at_limit + " * 1"  # the 257th operator is the last '*'
    err = error(compile_expression, over)
    assert err.message == "the expression has more than 256 operators; split it into several effects or conditions"
    assert err.offset == len(over) - 3
    err = error(compile_condition, "true" + " and true" * 200 + " or false" * 57)
    assert (err.message, err.offset) == (
        "the expression has more than 256 operators; split it into several effects or conditions",
        4 + 9 * 200 + 9 * 56 + 1,
    )


@pytest.fixture
def deep_stack():
    """Room on the stack for 64 levels of parentheses, even with a tracer's frames around each call."""
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(max(before, 20_000))
    yield
    sys.setrecursionlimit(before)


@pytest.mark.usefixtures("deep_stack")
def test_parentheses_nest_up_to_the_depth_limit():
    assert MAX_DEPTH == 64
    assert value("(" * 63 + "7" + ")" * 63) == 7
    assert value("min(1, " * 63 + "0" + ")" * 63) == 0
    err = error(compile_expression, "(" * 64 + "7" + ")" * 64)
    assert (err.message, err.offset) == ("expression nests deeper than 64 levels", 64)
    err = error(compile_expression, "min(1, " * 64 + "0" + ")" * 64)
    assert (err.message, err.offset) == ("expression nests deeper than 64 levels", 7 * 63 + 4)  # the 64th min's first argument
    # a level closed is a level given back: siblings do not add up
    assert value(" + ".join(["(" * 60 + "1" + ")" * 60] * 5)) == 5


@pytest.mark.usefixtures("deep_stack")
@pytest.mark.parametrize(("unit", "leaf"), [("not ", "true"), ("-", "1")])
def test_not_and_minus_nest_up_to_the_depth_limit(unit, leaf):
    # the expression itself is the first level
    fine = compile_expression(unit * 63 + leaf, SCOPE)
    assert fine.run({}, {}) == (False if leaf == "true" else -1)
    err = error(compile_expression, unit * 64 + leaf)
    assert (err.message, err.offset) == ("expression nests deeper than 64 levels", len(unit) * 63)
    # each closes its level: many side by side are fine
    joiner = " and " if leaf == "true" else " + "
    assert compile_expression(joiner.join(["(" + unit * 40 + leaf + ")"] * 4), SCOPE).run({}, {}) == (True if leaf == "true" else 4)


@pytest.mark.parametrize(
    ("source", "gold"),
    [("gold +=-1", 4), ("gold -=-1", 6), ("gold += -1", 4), ("gold -=- 1", 6)],
)
def test_a_sign_right_after_plus_equals_or_minus_equals_is_the_value_s_own(source, gold):
    """Only a lone '=' is checked for a glued operator: `gold +=-1` adds minus one, and is not warned."""
    compiled = compile_effects(source, SCOPE)
    assert compiled.warnings == ()
    assert after(source)["gold"] == gold


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("gold -=+1", "expected a value but found '+'"),
        ("gold +=< 1", "expected a value but found '<'"),
        ("gold -=> 1", "expected a value but found '>'"),
    ],
)
def test_an_operator_after_plus_equals_or_minus_equals_is_a_missing_value(source, message):
    err = error(compile_effects, source)
    assert (err.message, err.offset) == (message, 7)


@pytest.mark.usefixtures("deep_stack")
@pytest.mark.parametrize(
    ("source", "offset"),
    [
        # a level is given back exactly once, whatever came before at that level
        ("(1) + " + "(" * 64 + "7" + ")" * 64, 6 + 64),
        ("(" + "(1) + " + "(" * 63 + "7" + ")" * 64, 1 + 6 + 63),
        ("not true and " + "not " * 64 + "true", 13 + 4 * 63),
        ("(not true or " + "(" * 63 + "true" + ")" * 64, 13 + 63),
        ("-1 + " + "-" * 64 + "1", 5 + 63),
        ("(-1 + " + "(" * 63 + "1" + ")" * 64, 6 + 63),
    ],
)
def test_the_depth_is_counted_from_where_the_expression_stands(source, offset):
    err = error(compile_expression, source)
    assert (err.message, err.offset) == ("expression nests deeper than 64 levels", offset)


ENUMS = Scope({**VARIABLES, "trade": "text"}, NODES, enums={"trade": ("major", "merchant")})


@pytest.mark.parametrize(
    ("compile_fn", "source", "message", "offset"),
    [
        (compile_condition, 'trade == "minor"', "'trade' is never \"minor\"; did you mean 'major'?; its values are major, merchant", 9),
        (compile_condition, 'flag and "minor" == trade', "'trade' is never \"minor\"; did you mean 'major'?; its values are major, merchant", 9),
        (compile_condition, 'flag and "tin" != trade', "'trade' is never \"tin\"; its values are major, merchant", 9),
        (compile_effects, 'gold = 1; trade = "minor"', "'trade' is never \"minor\"; did you mean 'major'?; its values are major, merchant", 18),
    ],
)
def test_an_enumerated_text_is_never_a_value_outside_its_set_on_either_side(compile_fn, source, message, offset):
    err = error(compile_fn, source, ENUMS)
    assert (err.message, err.offset) == (message, offset)


def test_an_enumerated_text_compares_with_its_own_values_on_either_side():
    assert compile_condition('"major" == trade', ENUMS).run({"trade": "major"}, {}) is True
    assert compile_condition('trade != "merchant"', ENUMS).run({"trade": "major"}, {}) is True
    assert compile_condition("trade == name", ENUMS).run({"trade": "major", "name": "x"}, {}) is False


@pytest.mark.parametrize(
    ("source", "message", "offset"),
    [
        ("gold > )", "expected a value but found ')'", 7),
        ("* 2", "expected a value but found '*'", 0),
        ("gold + , 1", "expected a value but found ','", 7),
        ("min(1, ;)", "expected a value but found ';'", 7),
    ],
)
def test_an_operator_where_a_value_belongs(source, message, offset):
    err = error(compile_expression, source)
    assert (err.message, err.offset) == (message, offset)
