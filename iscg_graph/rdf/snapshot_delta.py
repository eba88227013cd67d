"""The snapshot's delta log: what curated writes changed since ``snapshot.nq`` was last written.

A curated write knows the exact quads it removed and added (`iscg_graph.curation.patch`), so instead
of dumping the whole store again (14-31 s at a million quads) it appends that difference here, one
file per generation, and the readers that hold generation N apply N+1..M to their in-memory copy::

    <store>/snapshot.nq                        first line ``# iscg snapshot generation B``
    <store>/snapshot-delta/<generation>.nq-patch   one per write since B (B+1, B+2, …)
    <store>/meta.json                          ``generation`` M, ``snapshot_generation`` B

A delta file is RDF Patch (``TX .``, ``D``/``A`` rows of N-Quads, ``TC .``, the format of the journal)
after a first comment line naming its generation and the SHA-256 of the rest, written to a
temporary file and renamed: other processes see it whole or not at all. It is not synced: the
store's own log is (`wal_sync`), so after a power loss a delta file may be missing, empty or partly
written; its checksum shows it (files of earlier code, which were synced, have none and must end
in ``TC .``), readers refuse it as damaged and `consistent` says no, so `recover` rewrites the
snapshot from the store. One file per generation rather than one append-only file: a rename is
atomic where an append is not, a reader that finds the file of a generation missing knows it has a
gap (the log was compacted) and reloads, and compaction removes files instead of rewriting a log
others may be reading.

The order of a write keeps the three consistent under kill -9 and power loss: the store's commit
and its log synced, the delta file, then ``meta.json`` (synced with its folder). Readers trust
``meta.json`` and ignore delta files past its generation; a delta file written but not yet
announced is found by `recover` (as a store ahead of its meta is). Compaction
(`EmbeddedStore.refresh`, every full rewrite) writes the snapshot first, synced, with its generation
in its first line, then ``meta.json``, then removes the files.

Replaying is idempotent on any later state: each file lists exact removals and additions, so a quad
ends up as the last file touching it says, whatever the copy held before.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..errors import StoreError
from .atomic_files import atomic_write, fsync_dir

__all__ = [
    "DELTAS",
    "Delta",
    "apply_delta",
    "consistent",
    "counts_after",
    "delta_files",
    "has_blank_nodes",
    "is_whole",
    "log_bytes",
    "read_deltas",
    "remove_deltas",
    "snapshot_generation",
    "snapshot_generation_of",
    "snapshot_header",
    "write_delta",
]

DELTAS = "snapshot-delta"
SUFFIX = ".nq-patch"
_HEADER = re.compile(rb"^# iscg snapshot generation (\d+)\s*$")
# a delta file's first line: its generation and the SHA-256 of everything after that line
_DELTA_HEADER = re.compile(rb"^# iscg snapshot delta: generation (\d+)(?: sha256 ([0-9a-f]{64}))?$")


@dataclass(frozen=True)
class Delta:
    generation: int
    removed: tuple[ox.Quad, ...]
    added: tuple[ox.Quad, ...]


def snapshot_header(generation: int) -> bytes:
    """The first line of a snapshot written by compaction: the generation its data is."""
    return f"# iscg snapshot generation {generation}\n".encode("ascii")


def snapshot_generation(path: Path) -> int | None:
    """The generation named in a snapshot's first line (None: a snapshot without one, e.g. a build's)."""
    try:
        with open(path, "rb") as fh:
            return snapshot_generation_of(fh.readline(200))
    except OSError:
        return None


def snapshot_generation_of(line: bytes) -> int | None:
    found = _HEADER.match(line)
    return int(found.group(1)) if found else None


def has_blank_nodes(quads: Iterable[ox.Quad]) -> bool:
    """A quad with a blank node cannot be logged: the commit renames blank nodes."""
    return any(isinstance(t, ox.BlankNode) for q in quads for t in (q.subject, q.object, q.graph_name))


def _line(op: str, q: ox.Quad) -> str:
    graph = "" if isinstance(q.graph_name, ox.DefaultGraph) else f" {q.graph_name}"
    return f"{op} {q.subject} {q.predicate} {q.object}{graph} ."


def delta_path(root: Path, generation: int) -> Path:
    return root / DELTAS / f"{generation}{SUFFIX}"


def write_delta(root: Path, generation: int, removed: Sequence[ox.Quad], added: Sequence[ox.Quad]) -> int:
    """Write the delta of ``generation`` atomically, not synced (see the module's docstring);
    returns its size in bytes."""
    folder = root / DELTAS
    folder.mkdir(exist_ok=True)
    lines = ["TX ."]
    lines += [_line("D", q) for q in removed]
    lines += [_line("A", q) for q in added]
    lines.append("TC .")
    body = ("\n".join(lines) + "\n").encode("utf-8")
    head = f"# iscg snapshot delta: generation {generation} sha256 {hashlib.sha256(body).hexdigest()}\n"
    text = head.encode("ascii") + body
    atomic_write(delta_path(root, generation), text, durable=False)
    return len(text)


def is_whole(text: bytes, generation: int) -> bool:
    """Whether ``text`` is the whole delta file of ``generation``: its first line names it and
    the SHA-256 of the rest matches; a file without a checksum (earlier code, synced) must end in
    ``TC .``. An empty, cut or partly zeroed file (a power loss before it reached the disk) is not."""
    head, newline, body = text.partition(b"\n")
    found = _DELTA_HEADER.match(head)
    if not newline or found is None or int(found.group(1)) != generation:
        return False
    if found.group(2) is not None:
        return hashlib.sha256(body).hexdigest().encode("ascii") == found.group(2)
    rows = body.splitlines()
    return bool(rows) and rows[-1].strip() == b"TC ."


def read_delta(root: Path, generation: int) -> Delta | None:
    """The delta of ``generation``; None if its file is missing (compacted away: a gap)."""
    path = delta_path(root, generation)
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc}") from exc
    if not is_whole(text, generation):
        raise StoreError(f"{path} is damaged (cut short or its checksum does not match): "
                         "restart the service, which rewrites the snapshot from the store")
    rows = text.splitlines()
    gone: list[bytes] = []
    new: list[bytes] = []
    for row in rows:
        if row.startswith(b"D "):
            gone.append(row[2:])
        elif row.startswith(b"A "):
            new.append(row[2:])
    try:
        removed = tuple(ox.parse(b"\n".join(gone), format=ox.RdfFormat.N_QUADS)) if gone else ()
        added = tuple(ox.parse(b"\n".join(new), format=ox.RdfFormat.N_QUADS)) if new else ()
    except SyntaxError as exc:
        raise StoreError(f"{path} is damaged: {exc}") from exc
    return Delta(generation, removed, added)


def read_deltas(root: Path, first: int, last: int) -> list[Delta] | None:
    """The deltas ``first``..``last`` in order, or None if one is missing (the log was compacted)."""
    out: list[Delta] = []
    for generation in range(first, last + 1):
        delta = read_delta(root, generation)
        if delta is None:
            return None
        out.append(delta)
    return out


def delta_files(root: Path) -> dict[int, Path]:
    """Every delta file present, by generation."""
    folder = root / DELTAS
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return {}
    out: dict[int, Path] = {}
    for entry in entries:
        stem = entry.name[: -len(SUFFIX)] if entry.name.endswith(SUFFIX) else ""
        if stem.isdigit():
            out[int(stem)] = Path(entry.path)
    return out


def log_bytes(root: Path) -> int:
    total = 0
    for path in delta_files(root).values():
        try:
            total += path.stat().st_size
        except FileNotFoundError:  # pragma: no cover - removed meanwhile
            continue
    return total


def remove_deltas(root: Path) -> None:
    """Remove every delta file (after compaction: the snapshot holds them all)."""
    for path in delta_files(root).values():
        path.unlink(missing_ok=True)
    if (root / DELTAS).is_dir():
        fsync_dir(root / DELTAS)


def _block(quads: Iterable[ox.Quad]) -> str:
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        g = q.graph_name
        by_graph.setdefault("" if isinstance(g, ox.DefaultGraph) else str(g), []).append(
            f"{q.subject} {q.predicate} {q.object} .")
    return "\n".join(body if not name else f"GRAPH {name} {{\n{body}\n}}"
                     for name, body in ((n, "\n".join(rows)) for n, rows in by_graph.items()))


def apply_delta(store: ox.Store, delta: Delta) -> None:
    """Apply one delta to an in-memory copy, as one update (readers of the copy see all of it or none)."""
    ops = []
    if delta.removed:
        ops.append("DELETE DATA {\n" + _block(delta.removed) + "\n}")
    if delta.added:
        ops.append("INSERT DATA {\n" + _block(delta.added) + "\n}")
    if ops:
        store.update(" ;\n".join(ops))


def counts_after(graphs: Mapping[str, int], removed: Iterable[ox.Quad],
                 added: Iterable[ox.Quad]) -> dict[str, int]:
    """Quads per graph after an exact delta ("" for the default graph), as `count_graphs` counts."""
    out = dict(graphs)
    for sign, quads in ((-1, removed), (1, added)):
        for q in quads:
            key = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            out[key] = out.get(key, 0) + sign
    return {k: v for k, v in out.items() if v}


def consistent(snapshot: Path, base: int, generation: int) -> bool:
    """Whether the snapshot holds ``base`` (or names no generation), every delta base+1..generation
    is there and whole (`is_whole`: they are not synced) and none is past it. Leftovers at or
    before the base (a compaction killed before it removed them) are removed: no reader of this
    generation uses them."""
    holds = snapshot_generation(snapshot)
    files = delta_files(snapshot.parent)
    for number, path in files.items():
        if number <= base:
            path.unlink(missing_ok=True)
    return ((holds is None or holds == base)
            and all(g <= generation for g in files)
            and all(g in files and _file_whole(files[g], g) for g in range(base + 1, generation + 1)))


def _file_whole(path: Path, generation: int) -> bool:
    try:
        return is_whole(path.read_bytes(), generation)
    except OSError:
        return False
