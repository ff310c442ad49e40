"""`kuzbass` run in a child process held to an address-space limit (RLIMIT_AS) and a time limit,
its output read as bytes; and what of that output a terminal would act on. Shared by the tests
that feed the verbs hostile input (issue 17)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO


MEMORY = 1024**3

SECONDS = 120

LIMITED = (
    f"import resource, runpy, sys; resource.setrlimit(resource.RLIMIT_AS, ({MEMORY}, {MEMORY})); "
    "sys.argv = ['kuzbass'] + sys.argv[1:]; runpy.run_module('kuzbass_game', run_name='__main__')"
)


def kuzbass(*args: str, stdin: bytes = b"", env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    """`kuzbass ARGS` in a child held to MEMORY bytes of address space and SECONDS of time."""
    environment = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run([sys.executable, "-c", LIMITED, *args], input=stdin, capture_output=True, timeout=SECONDS, env=environment, cwd=cwd or REPO)


def raw_bytes(output: bytes) -> list[str]:
    """What in `output` a terminal would act on: escape, bell and the bidirectional overrides."""
    text = output.decode("utf-8", "replace")
    return [f"U+{ord(ch):04X}" for ch in text if ch in "\x1b\x07\x9b\u202e\u202d\u2066\u2067\u2068"]
