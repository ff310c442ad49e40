"""Files we do not trust and files that must survive a crash: bounded reads, atomic writes, folder locks.

May import: core (for its lazy exports) and the standard library. The faces import the names below (`__all__`), never a module inside.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kuzbass_game.engine.core.lazy import exports

_HOMES = {
    "FolderLocks": "locks",
    "LockBusy": "locks",
    "Refused": "bounded",
    "read_regular": "bounded",
    "write_atomic": "atomic",
}
__all__ = ["FolderLocks", "LockBusy", "Refused", "read_regular", "write_atomic"]
__getattr__, __dir__ = exports(__name__, _HOMES)

if TYPE_CHECKING:  # pragma: no cover
    from kuzbass_game.engine.files.atomic import write_atomic
    from kuzbass_game.engine.files.bounded import Refused, read_regular
    from kuzbass_game.engine.files.locks import FolderLocks, LockBusy
