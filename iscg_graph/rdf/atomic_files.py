"""Files replaced whole or not at all: written beside their target, flushed to disk, then renamed
over it (a reader sees the old file or the new one, also after a crash). The store's snapshot and
meta (`store`) and the snapshot's delta files (`snapshot_delta`) are written this way; a delta file
skips the flush (``durable=False``): after a power loss its content may be lost, which its
checksum shows and `recover` repairs from the store (docs/notes/scale.md §27)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_file", "atomic_write", "fsync_dir"]


@contextmanager
def atomic_file(path: Path, *, durable: bool = True) -> Iterator[BinaryIO]:
    """A binary file that becomes ``path`` when the block ends normally; nothing changes otherwise.
    ``durable``: its content is on disk before the rename (without: other processes see it whole,
    but a power loss may leave it empty or partly written)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> None:
    with atomic_file(path, durable=durable) as fh:
        fh.write(data)


def fsync_dir(folder: Path) -> None:
    """Make a rename or removal in ``folder`` durable (where the platform allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - a platform without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)
