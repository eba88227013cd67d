"""The gzip dumps follow curated writes: written again, on demand, when the data is newer.

The build writes ``dumps/`` right after its last change (`publish`), so a ``meta.json`` newer than
a dump means curated writes came after it. Rewriting the dumps on every write would put back the
whole-dataset cost per write that the snapshot's delta log removed (docs/notes/scale.md §16), so
they are rewritten when someone asks for one (`fresh_dumps`), from the store that is served, once
per change of the data; a write landing while they are written leaves them marked old (their
modification time set back), so the next request writes them again. Never a stale file.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from ..rdf.store import META, EmbeddedStore
from .publish import DUMPS, write_dumps

__all__ = ["fresh_dumps"]

_writing = threading.Lock()


def _stale(folder: Path, meta: Path) -> bool:
    try:
        newest = meta.stat().st_mtime_ns
    except OSError:
        return False
    for name in DUMPS:
        try:
            if (folder / name).stat().st_mtime_ns < newest:
                return True
        except FileNotFoundError:
            continue  # never written (a store without dumps): nothing to bring up to date
    return False


def fresh_dumps(store: EmbeddedStore, folder: Path, base: str) -> bool:
    """Rewrite the dumps under ``folder`` if the store's data changed after them; True if it did."""
    if store.path is None or not _stale(folder, store.path / META):
        return False
    with _writing:
        if not _stale(folder, store.path / META):  # written meanwhile by another request
            return False
        generation = store.meta.generation
        written = write_dumps(store, folder, base)
        if store.meta.generation != generation:  # a write landed meanwhile: written again next time
            for path in written.values():
                os.utime(path, ns=(0, 0))
    return True
