"""Visit counts as a persistent map: every version reads as it was made, whatever was read or made since."""

from hypothesis import given, settings
from hypothesis import strategies as st

from kuzbass_game.engine.play.state import GameState, Visits

KEYS = ("a", "b", "c", "d")

# A program: each step takes one earlier version (by index, wrapped) and counts a node on it, or sets
# a count (0 removes it), or reads a version; the model keeps every version as a plain dict.
steps = st.lists(
    st.tuples(st.sampled_from(("count", "set", "read")), st.integers(0, 50), st.sampled_from(KEYS), st.integers(0, 3)),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(steps)
def test_every_version_reads_as_it_was_made(program):
    versions = [Visits()]
    model = [{}]
    for op, which, key, count in program:
        index = which % len(versions)
        if op == "read":
            assert versions[index].copy() == model[index]
            assert versions[index].get(key, 0) == model[index].get(key, 0)
            continue
        if op == "count":
            versions.append(versions[index].counted(key))
            new = dict(model[index])
            new[key] = new.get(key, 0) + 1
        else:
            versions.append(versions[index].with_count(key, count))
            new = {k: v for k, v in model[index].items() if k != key}
            if count:
                new[key] = count
        model.append(new)
    for version, expected in reversed(list(zip(versions, model))):  # oldest last: the longest walks
        assert version == expected and dict(version.items()) == expected and len(version) == len(expected)
        assert all(version[key] == expected[key] for key in expected)
        assert all((key in version) == (key in expected) for key in KEYS)


def test_a_version_is_never_changed_by_a_newer_one():
    first = Visits({"bank": 1})
    second = first.counted("raft")
    third = second.counted("bank")
    assert first == {"bank": 1} and second == {"bank": 1, "raft": 1} and third == {"bank": 2, "raft": 1}
    assert first.get("raft") is None and first.get("raft", 0) == 0 and third["bank"] == 2
    assert Visits.of(third) is third  # a version cannot change: kept as it is
    plain = {"bank": 1}
    copied = Visits.of(plain)
    plain["bank"] = 5  # a plain dict can: copied
    assert copied == {"bank": 1}


def test_a_state_with_versioned_visits_equals_and_saves_as_the_same_state_with_a_dict():
    versioned = GameState("bank", {"n": 1}, Visits({"bank": 2}), 7)
    plain = GameState("bank", {"n": 1}, {"bank": 2}, 7)
    assert versioned == plain and plain == versioned
    assert versioned.to_json() == plain.to_json() and type(versioned.to_json()["visits"]) is dict
    assert versioned != GameState("bank", {"n": 1}, {"bank": 3}, 7)
    assert repr(Visits({"a": 1})) == "Visits({'a': 1})"
