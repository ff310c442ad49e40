"""What is kept between runs: the save format, the save store (per game, under the folder lock), the player's profile and settings.

May import: core, files, play, tools. The faces import the names below (`__all__`), never a module inside.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kuzbass_game.engine.core.lazy import exports

_HOMES = {
    "AutosaveFailed": "save_store",
    "EndingRecord": "profile",
    "GameGroup": "save_store",
    "PLAYER_FOLDER": "profile",
    "PendingAutosave": "save_store",
    "QUICKSAVE_FILE": "names",
    "SLOT_SUFFIX": "names",
    "Profile": "profile",
    "SaveError": "save_format",
    "SaveStore": "save_store",
    "SlotChanged": "save_store",
    "SlotExists": "save_store",
    "SlotInfo": "save_store",
    "check_slot_name": "save_store",
    "game_id_of": "save_store",
    "load_profile": "profile",
    "load_settings": "profile",
    "read_journal": "journal",
    "read_save_file": "save_store",
    "save_settings": "profile",
    "verify": "save_format",
}
__all__ = [
    "AutosaveFailed",
    "EndingRecord",
    "GameGroup",
    "PLAYER_FOLDER",
    "PendingAutosave",
    "Profile",
    "QUICKSAVE_FILE",
    "SaveError",
    "SLOT_SUFFIX",
    "SaveStore",
    "SlotChanged",
    "SlotExists",
    "SlotInfo",
    "check_slot_name",
    "game_id_of",
    "load_profile",
    "load_settings",
    "read_journal",
    "read_save_file",
    "save_settings",
    "verify",
]
__getattr__, __dir__ = exports(__name__, _HOMES)

if TYPE_CHECKING:  # pragma: no cover
    from kuzbass_game.engine.storage.journal import read_journal
    from kuzbass_game.engine.storage.names import QUICKSAVE_FILE, SLOT_SUFFIX
    from kuzbass_game.engine.storage.profile import EndingRecord, PLAYER_FOLDER, Profile, load_profile, load_settings, save_settings
    from kuzbass_game.engine.storage.save_format import SaveError, verify
    from kuzbass_game.engine.storage.save_store import (
        AutosaveFailed,
        GameGroup,
        PendingAutosave,
        SaveStore,
        SlotChanged,
        SlotExists,
        SlotInfo,
        check_slot_name,
        game_id_of,
        read_save_file,
    )
