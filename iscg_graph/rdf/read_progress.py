"""Reading a file with its progress told as it goes: for a load that takes seconds (a copy of the
snapshot at a million triples), so that someone waiting for it can tell how far it has got."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from typing import Any

__all__ = ["counted"]


class _Counting(io.RawIOBase):
    """A file's bytes, telling ``progress`` how many were read (and the file's size)."""

    def __init__(self, fh: io.BufferedReader, progress: Callable[[int, int], None]):
        self._fh, self._progress = fh, progress
        self._size = os.fstat(fh.fileno()).st_size
        self._read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._fh.readinto(buffer)
        self._read += n
        self._progress(self._read, self._size)
        return n


def counted(fh: io.BufferedReader, progress: Callable[[int, int], None]) -> io.BufferedReader:
    """``fh`` from its current position, read a megabyte at a time; ``progress(read, size)`` after
    each read (bytes read through this reader, and the file's size)."""
    return io.BufferedReader(_Counting(fh, progress), buffer_size=1 << 20)
