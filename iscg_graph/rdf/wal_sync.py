"""A committed write made durable by syncing the on-disk store's write-ahead log.

Oxigraph's RocksDB appends every commit to its write-ahead log (WAL, the ``*.log`` files of the
``oxigraph/`` folder) and hands the bytes to the operating system before the commit returns
(``manual_wal_flush=false`` in the store's ``OPTIONS`` file), but never syncs them
(``use_fsync=false``, and pyoxigraph exposes no synced write nor ``SyncWAL``). Until now the write
path called ``Store.flush()`` to make a commit survive a power loss: every memtable written out as
new table files, 130-330 ms wall at a million quads (docs/notes/scale.md §24). Syncing the log
file the commit went to gives the same guarantee at the cost of one small write-back:

* ``fdatasync`` of every WAL file present, from a descriptor of our own: a sync acts on the file
  (its inode), not on the descriptor that wrote, so it writes the commit's bytes, and the size
  and extents needed to read them, to the device. The commit is in the file that was current
  when it committed; if RocksDB has since deleted or recycled that file (``recycle_log_file_num``
  renames old logs to new numbers), its memtables were flushed to table files first, which
  RocksDB syncs with the manifest before it lets the log go.
* the folder synced whenever the set of log names differs from the one last synced (the first
  call, a new or a recycled log): a file's data is of no use after a power loss if its name is
  not.

On reopening, RocksDB replays the logs (``wal_recovery_mode=kPointInTimeRecovery``) up to the
first record that is torn or left over from a recycled file's earlier use: the synced records,
ours and all before it, come back. docs/notes/scale.md §27 has the whole argument and the tests.
"""

from __future__ import annotations

import os
from pathlib import Path

from .atomic_files import fsync_dir

__all__ = ["WalSync", "wal_files"]

WAL_SUFFIX = ".log"


def wal_files(db: Path) -> list[Path]:
    """The write-ahead log files of an Oxigraph (RocksDB) folder, in name order."""
    try:
        names = [e.name for e in os.scandir(db) if e.name.endswith(WAL_SUFFIX) and e.is_file()]
    except FileNotFoundError:
        return []
    return [db / name for name in sorted(names)]


def _sync_file(path: Path) -> bool:
    """fdatasync ``path`` (False: it is gone, i.e. RocksDB already flushed and released it)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        getattr(os, "fdatasync", os.fsync)(fd)
    finally:
        os.close(fd)
    return True


class WalSync:
    """Sync the write-ahead log of the Oxigraph folder ``db`` after a commit (one per open store)."""

    def __init__(self, db: Path):
        self.db = db
        self._synced_names: frozenset[str] | None = None

    def __call__(self) -> None:
        """Make every commit returned so far durable (call it after the commit, before answering)."""
        present = [p for p in wal_files(self.db) if _sync_file(p)]
        names = frozenset(p.name for p in present)
        if names != self._synced_names:
            fsync_dir(self.db)
            self._synced_names = names
