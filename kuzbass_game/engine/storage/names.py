"""The names of the files in a saves folder, in a module of their own: a face that only asks whether
a save exists (the title screen, at launch) reads them without importing the save store."""

from __future__ import annotations

SUFFIX = ".json"  # a slot's file: `<slot name>.json`
SLOT_SUFFIX = SUFFIX  # (the name the faces import)
QUICK_NAME = "quicksave"  # the quicksave's slot
QUICKSAVE_FILE = QUICK_NAME + SUFFIX
AUTO_PREFIX = "autosave-"  # a game's autosaves: `autosave-<game id>-<1..3>.json`
JOURNAL_SUFFIX = ".journal"  # beside an autosave: what was played since it (journal.py)
