"""Files, unit by unit: the atomic write's every way to fail (no temporary file left, the old file
intact), bounded reads of files we do not trust, and the folder locks between processes."""

from __future__ import annotations

import errno
import os
import re
import socket
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kuzbass_game.engine.files import atomic, bounded, locks
from kuzbass_game.engine.files.atomic import TargetExists, write_atomic


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(atomic.TEMP_SUFFIX))


def assert_target_exists(err: TargetExists, path: Path) -> None:
    assert (err.errno, err.strerror, err.filename) == (errno.EEXIST, "a file of this name already exists", str(path))
    assert str(err) == f"[Errno 17] a file of this name already exists: '{path}'"


@pytest.fixture
def old(tmp_path) -> Path:
    path = tmp_path / "slot.json"
    path.write_bytes(b"old")
    return path


# ---------------------------------------------------------------- atomic writes


def test_a_write_replaces_the_file_whole_and_leaves_no_temporary_file(old):
    write_atomic(old, b"new")
    assert old.read_bytes() == b"new" and leftovers(old.parent) == []


def test_a_write_makes_its_folder(tmp_path):
    path = tmp_path / "a" / "b" / "slot.json"
    write_atomic(path, b"new", no_clobber=True)
    assert path.read_bytes() == b"new" and leftovers(path.parent) == []


def test_no_clobber_never_overwrites(old):
    with pytest.raises(TargetExists) as err:
        write_atomic(old, b"new", no_clobber=True)
    assert_target_exists(err.value, old)
    assert old.read_bytes() == b"old" and leftovers(old.parent) == []


def test_the_temporary_file_is_hidden_beside_the_target(old, monkeypatch):
    seen = []
    real_replace = os.replace

    def replace(source, target):
        seen.append(Path(source))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    write_atomic(old, b"new")
    [temp] = seen
    name = temp.name
    assert temp.parent == old.parent  # the same folder, so the rename is atomic (one file system)
    assert name.startswith(".slot.json.") and name.endswith(".tmp") and atomic.temp_prefix(old) == ".slot.json."


@pytest.mark.parametrize("step", ["write", "fsync", "replace"])
def test_a_failing_step_leaves_the_old_file_and_no_temporary_file(old, monkeypatch, step):
    def fail(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    if step == "write":
        real_fdopen = os.fdopen

        def fdopen(fd, mode):
            handle = real_fdopen(fd, mode)
            handle.write = fail
            return handle

        monkeypatch.setattr(os, "fdopen", fdopen)
    else:
        monkeypatch.setattr(os, step, fail)
    with pytest.raises(OSError) as err:
        write_atomic(old, b"new")
    assert err.value.errno == errno.ENOSPC
    assert old.read_bytes() == b"old" and leftovers(old.parent) == []


def test_an_interrupt_mid_write_leaves_no_temporary_file(old, monkeypatch):
    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(old, b"new")
    assert old.read_bytes() == b"old" and leftovers(old.parent) == []


def test_a_temporary_file_already_gone_is_no_second_error(old, monkeypatch):
    def replace(source, target):
        os.unlink(source)
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError, match="I/O error"):
        write_atomic(old, b"new")
    assert old.read_bytes() == b"old" and leftovers(old.parent) == []


@pytest.mark.parametrize("code", [errno.EPERM, errno.EXDEV, errno.ENOSYS, errno.EMLINK, errno.EACCES, errno.EOPNOTSUPP])
def test_where_hard_links_are_refused_no_clobber_checks_then_renames(tmp_path, monkeypatch, code):
    def link(source, target):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "link", link)
    path = tmp_path / "slot.json"
    write_atomic(path, b"new", no_clobber=True)
    assert path.read_bytes() == b"new" and leftovers(tmp_path) == []
    with pytest.raises(TargetExists) as err:  # the name is taken now: the check refuses, nothing is renamed
        write_atomic(path, b"newer", no_clobber=True)
    assert_target_exists(err.value, path)
    assert path.read_bytes() == b"new" and leftovers(tmp_path) == []


def test_a_dangling_symbolic_link_takes_the_name_too(tmp_path, monkeypatch):
    monkeypatch.delattr(os, "link")  # a system without os.link at all
    path = tmp_path / "slot.json"
    path.symlink_to(tmp_path / "nowhere")
    with pytest.raises(TargetExists):
        write_atomic(path, b"new", no_clobber=True)
    assert path.is_symlink() and leftovers(tmp_path) == []


def test_a_link_failing_for_another_reason_is_an_error_and_nothing_is_put_in_place(tmp_path, monkeypatch):
    def link(source, target):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, "link", link)
    path = tmp_path / "slot.json"
    with pytest.raises(OSError, match="I/O error"):
        write_atomic(path, b"new", no_clobber=True)
    assert not path.exists() and leftovers(tmp_path) == []


def test_the_linked_temporary_name_is_removed_even_if_unlinking_it_fails(tmp_path, monkeypatch):
    real_unlink = os.unlink
    calls = []

    def unlink(name):
        calls.append(name)
        if len(calls) == 1:
            raise OSError(errno.EBUSY, "busy")
        real_unlink(name)

    monkeypatch.setattr(os, "unlink", unlink)
    path = tmp_path / "slot.json"
    write_atomic(path, b"new", no_clobber=True)  # the file is in place; the stray name is not an error
    assert path.read_bytes() == b"new" and len(calls) == 1


def test_the_folder_fsync_failing_or_unopenable_does_not_undo_the_write(old, monkeypatch):
    real_fsync, real_open = os.fsync, os.open
    folder_fds = []

    def fsync(fd):
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            folder_fds.append(fd)
            raise OSError(errno.EINVAL, "Invalid argument")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    write_atomic(old, b"new")
    assert old.read_bytes() == b"new" and len(folder_fds) == 1

    def no_folders(path, flags, *args):
        if flags & os.O_DIRECTORY:
            raise OSError(errno.EACCES, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", no_folders)
    write_atomic(old, b"newer")
    assert old.read_bytes() == b"newer" and len(folder_fds) == 1 and leftovers(old.parent) == []


def test_without_folder_descriptors_the_folder_is_not_synced(old, monkeypatch):
    monkeypatch.delattr(os, "O_DIRECTORY")
    opened = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda path, flags, *args: opened.append(path) or real_open(path, flags, *args))
    write_atomic(old, b"new")
    assert old.read_bytes() == b"new" and str(old.parent) not in map(str, opened)


# ---------------------------------------------------------------- bounded reads


def test_a_regular_file_within_its_limit_is_read_whole(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"a" * 5000)
    data, info = bounded.read_regular(path, 5000)
    assert data == b"a" * 5000 and info.st_size == 5000


def test_a_file_past_its_limit_is_refused_with_its_size(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"a" * 101)
    with pytest.raises(bounded.TooLarge, match=r"is too large \(101 bytes; at most 100\)") as err:
        bounded.read_regular(path, 100)
    assert err.value.size == 101


def test_a_file_that_grows_while_read_is_refused_after_limit_plus_one_bytes(tmp_path, monkeypatch):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"a" * 10_000)
    fd, info = bounded.open_regular(path)
    small = os.stat_result((info.st_mode, 0, 0, 1, 0, 0, 10, 0, 0, 0))  # it was 10 bytes when looked at
    read = []
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: read.append(n) or real_read(fd, n))
    try:
        with pytest.raises(bounded.TooLarge, match="grew past 100 bytes while it was read") as err:
            bounded.read_fd(fd, small, 100)
    finally:
        os.close(fd)
    assert err.value.size is None and sum(read) <= 101


def test_a_file_that_never_ends_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"a" * 10)
    trickle = iter([b"a"] * 10_000)
    monkeypatch.setattr(os, "read", lambda fd, n: next(trickle))  # a byte a call: more calls than a regular file needs
    with pytest.raises(bounded.TooLarge, match="could not be read to its end"):
        bounded.read_regular(path, 8192)


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda p: p.mkdir(), "a folder"),
        (lambda p: os.mkfifo(p), "a named pipe (FIFO)"),
    ],
)
def test_what_is_not_a_regular_file_is_named(tmp_path, make, kind):
    path = tmp_path / "x.yaml"
    make(path)
    with pytest.raises(bounded.NotRegular, match=re.escape(f"is {kind}, not an ordinary file")):
        bounded.read_regular(path, 100)


def test_a_device_and_a_socket_are_named_without_reading_them(tmp_path):
    with pytest.raises(bounded.NotRegular, match="is a device"):
        bounded.read_regular("/dev/zero", 100)
    assert bounded.kind_of(stat.S_IFSOCK) == "a socket" and bounded.kind_of(stat.S_IFBLK) == "a device"
    assert bounded.kind_of(0) == "not an ordinary file"
    path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(OSError):  # a socket cannot even be opened as a file: an OSError, never a hang
            bounded.read_regular(path, 100)


def test_a_symbolic_link_is_followed_only_when_asked(tmp_path):
    target = tmp_path / "real.yaml"
    target.write_bytes(b"x")
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    assert bounded.read_regular(link, 10)[0] == b"x"
    with pytest.raises(OSError) as err:
        bounded.read_regular(link, 10, follow=False)
    assert err.value.errno == errno.ELOOP


def test_inside_resolves_links_before_it_answers(tmp_path):
    root = tmp_path / "story"
    (root / "scenes").mkdir(parents=True)
    real = os.path.realpath(root)
    assert bounded.inside(root, real) and bounded.inside(root / "scenes" / "a.yaml", real)
    assert not bounded.inside(tmp_path / "story-other" / "a.yaml", real)  # a prefix of the name is not inside
    (root / "out").symlink_to(tmp_path)
    assert not bounded.inside(root / "out" / "x.yaml", real)


# ---------------------------------------------------------------- folder locks between processes

HOLDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from kuzbass_game.engine.files.locks import FolderLocks
    locks = FolderLocks(Path(sys.argv[1]))
    what = sys.argv[2]
    if what == "game":
        assert locks.claim_game("0123456789abcdef")
        print("held", flush=True)
        sys.stdin.read()
    else:
        with getattr(locks, what)():
            print("held", flush=True)
            sys.stdin.read()
    """
)


@pytest.fixture
def holder(tmp_path):
    """`holder(what)`: another process holding a lock of the folder until the test ends."""
    started = []

    def hold(what: str) -> subprocess.Popen[str]:
        process = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path), what], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        started.append(process)
        assert process.stdout.readline().strip() == "held"
        return process

    yield hold
    for process in started:
        process.stdin.close()
        process.wait(timeout=30)


def test_a_game_held_by_another_process_cannot_be_claimed_until_it_ends(tmp_path, holder):
    process = holder("game")
    mine = locks.FolderLocks(tmp_path)
    assert not mine.claim_game("0123456789abcdef") and not mine.holds("0123456789abcdef")
    assert mine.claim_game("fedcba9876543210")  # another game is free
    process.stdin.close()
    process.wait(timeout=30)  # the system drops a lock when its process ends, however it ends
    assert mine.claim_game("0123456789abcdef") and mine.holds("0123456789abcdef")
    assert mine.claim_game("0123456789abcdef")  # claiming again is a no-op
    mine.release_game("0123456789abcdef")
    assert not mine.holds("0123456789abcdef")
    mine.release_game("0123456789abcdef")  # releasing what is not held is a no-op


def test_replacing_waits_then_says_another_copy_is_busy(tmp_path, holder, monkeypatch):
    holder("replacing")
    monkeypatch.setattr(locks, "WAIT_SECONDS", 0.2)
    with pytest.raises(locks.LockBusy, match="another copy of the game is busy saving"):
        with locks.FolderLocks(tmp_path).replacing():
            pass


def test_cleaning_is_refused_while_another_process_writes(tmp_path, holder):
    mine = locks.FolderLocks(tmp_path)
    with mine.cleaning() as free:
        assert free
    holder("writing")
    with mine.cleaning() as free:
        assert not free  # its temporary files are not leftovers
    with mine.writing(), mine.replacing():  # writers share, and replacing is another byte
        pass


def test_stores_in_one_process_share_one_descriptor_until_the_last_goes(tmp_path):
    first, second = locks.FolderLocks(tmp_path), locks.FolderLocks(tmp_path)
    assert first.available and second.available
    key = os.path.realpath(tmp_path)
    assert locks._shared[key][1] == 2
    fd = locks._shared[key][0]
    assert first.claim_game("0123456789abcdef") and second.claim_game("0123456789abcdef")  # one process: its own lock
    del first
    assert locks._shared[key] == [fd, 1]
    del second
    assert key not in locks._shared
    locks._release(key)  # a second release is a no-op


def test_a_folder_that_cannot_hold_the_lock_file_locks_nothing_and_refuses_nothing(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    mine = locks.FolderLocks(blocker / "saves")
    assert not mine.available and mine.claim_game("0123456789abcdef")
    with mine.writing(), mine.replacing(), mine.cleaning() as free:
        assert not free  # without a lock, nothing is known to be a leftover
    assert blocker.read_text() == "x"


def test_a_file_system_without_record_locks_grants_every_lock(tmp_path, monkeypatch):
    def no_record_locks(*args):
        raise OSError(errno.ENOLCK, "No locks available")

    mine = locks.FolderLocks(tmp_path)
    assert mine.available
    monkeypatch.setattr(locks.fcntl, "lockf", no_record_locks)
    assert mine.claim_game("0123456789abcdef")
    with mine.cleaning() as free, mine.replacing():
        assert free
    mine.release_game("0123456789abcdef")


def test_without_fcntl_every_lock_succeeds(tmp_path, monkeypatch):
    monkeypatch.setattr(locks, "fcntl", None)
    mine = locks.FolderLocks(tmp_path)
    assert not mine.available and mine.claim_game("0123456789abcdef")
    with mine.writing(), mine.replacing(), mine.cleaning() as free:
        assert not free
    assert not (tmp_path / locks.LOCK_NAME).exists()


def test_an_unopened_folder_is_not_created_to_release_a_game(tmp_path):
    mine = locks.FolderLocks(tmp_path / "saves")
    assert mine._fd(create=False) is None and not (tmp_path / "saves").exists()
