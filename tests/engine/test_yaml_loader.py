"""The story loader's YAML: the safe loader with a memo in front of its tag resolver must give
every node exactly the tag the stock safe loader gives it."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kuzbass_game.engine.format.yaml_source import SafeLoader

try:
    STOCK = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    STOCK = yaml.SafeLoader

TRICKY = [
    "",
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "~",
    "null",
    "NULL",
    "0x1F",
    "0o17",
    "0b101",
    "1_000",
    "1.5",
    ".inf",
    "-.Inf",
    ".nan",
    "1e3",
    "+1",
    "-1",
    "2001-12-14",
    "12:30",
    "190:20:30",
    "=",
    "<<",
    "food > 2",
    'visited("x")',
]


def tags(node: yaml.Node) -> list:
    if isinstance(node, yaml.MappingNode):
        return [node.tag] + [tags(k) + tags(v) for k, v in node.value]
    if isinstance(node, yaml.SequenceNode):
        return [node.tag] + [tags(item) for item in node.value]
    return [node.tag, node.value]


def same_tags(document: str) -> None:
    try:
        expected = tags(yaml.compose(document, Loader=STOCK))
    except yaml.YAMLError as err:  # what the stock loader refuses, ours refuses too, at the same place
        with pytest.raises(yaml.YAMLError) as ours:
            yaml.compose(document, Loader=SafeLoader)
        assert str(getattr(ours.value, "problem_mark", None)) == str(getattr(err, "problem_mark", None))
        return
    assert tags(yaml.compose(document, Loader=SafeLoader)) == expected
    assert tags(yaml.compose(document, Loader=SafeLoader)) == expected  # and again, from the memo


def test_tricky_scalars_resolve_as_the_stock_loader_does():
    for value in TRICKY:
        same_tags(f"k: {value}\nq: '{value}'\nlist: [{value}, {value}]\nblock: |\n  {value}\n")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("01279.+-_:eEx~nulyesNoTrFa< =abc")), max_size=12), min_size=1, max_size=6))
def test_random_plain_scalars_resolve_as_the_stock_loader_does(values):
    same_tags("".join(f"k{i}: {value}\n" for i, value in enumerate(values)))
    same_tags("[" + ", ".join(values) + "]")
