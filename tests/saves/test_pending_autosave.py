"""An autosave prepared on the thread that plays and written later, on any thread: in order, never lost."""

import threading

import pytest

from kuzbass_game.engine.storage.save_store import AutosaveFailed

from .conftest import played


def test_a_prepared_autosave_writes_nothing_until_written(store, ferry):
    game = played(ferry)
    pending = store.prepare_autosave(game, 12)
    assert not list(store.folder.glob("autosave-*"))
    info = pending.write()
    assert info.path.exists() and info.turn == 3 and info.play_seconds == 12
    assert store.load(info.name).game.actions == game.actions


def test_writing_a_later_autosave_first_writes_the_earlier_ones_in_their_order(rotating_store, ferry):
    game = played(ferry)
    first = rotating_store.prepare_autosave(game)
    game.choose(2)
    second = rotating_store.prepare_autosave(game)
    info = second.write()  # the earlier one is written first, then this one over the next slot
    assert first.write().name != info.name
    assert rotating_store.load(first.name).game.state.turn == 3
    assert rotating_store.load(info.name).game.state.turn == 4
    assert rotating_store.latest().name == info.name
    assert second.write() == info  # written once; asked again, the same answer


def test_a_failed_write_is_raised_by_each_ask_and_told_once(store, ferry, monkeypatch):
    game = played(ferry)

    def refuse(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(type(store), "_write", refuse)
    pending = store.prepare_autosave(game)
    with pytest.raises(AutosaveFailed) as err:
        pending.write()
    assert err.value.first and "No space left" in str(err.value)
    with pytest.raises(AutosaveFailed):
        pending.write()
    with pytest.raises(AutosaveFailed) as again:
        store.prepare_autosave(game).write()
    assert not again.value.first  # the player was told already
    monkeypatch.undo()
    store.prepare_autosave(game).write()
    assert store.autosave_problem is None


def test_autosaves_written_from_two_threads_land_in_the_order_prepared(rotating_store, ferry):
    game = played(ferry)
    pendings = []
    for seconds in range(6):  # the same game, later and later (its play time tells them apart)
        pendings.append(rotating_store.prepare_autosave(game, seconds))
    threads = [threading.Thread(target=p.write) for p in reversed(pendings)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(not thread.is_alive() for thread in threads)
    latest = rotating_store.latest()
    assert latest.name == pendings[-1].name and latest.play_seconds == 5
    assert sorted(info.play_seconds for info in rotating_store.list()) == [3, 4, 5]  # the last three, rotated in order
