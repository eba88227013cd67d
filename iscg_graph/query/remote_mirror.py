"""A local copy of the remote store's dataset, one per generation, for what reads triples directly.

The SPARQL endpoint, the canned queries and the reports go to the remote server through the engine.
The linked-data pages, search, thesauri, dataset description, dumps and candidate index read
triples through the embedded store's API; on a remote store they read this copy instead. It is
fetched with one portable query (``SELECT ?g ?s ?p ?o`` over the loaded graphs: every SPARQL 1.1
server answers it, none needs a quad-dump extension) and written as a build directory
(``snapshot.nq`` + ``meta.json``) named after the generation, so the usual derived artefacts
(candidates, dumps) are computed once per generation beside it. A new generation gives a new copy;
the previous one is removed when the service lets it go.

Cost: the copy holds the whole dataset in memory, as the embedded service does today (about
22,000 triples; see docs/notes/remote.md for where this stops being the right trade).
"""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import StoreError
from ..rdf.atomic_files import atomic_write
from ..rdf.store import SNAPSHOT, StoreMeta, write_meta
from .remote import RemoteEngine, generation_iri

__all__ = ["GENERATION_FILE", "folder_name", "mirror", "token_of", "write_copy"]

GENERATION_FILE = "generation"  # in a copy: the store's generation token the copy holds


def folder_name(generation: object) -> str:
    return "gen-" + hashlib.sha256(repr(generation).encode()).hexdigest()[:16]


def token_of(folder: Path) -> str | None:
    """The generation token a copy was made at (None: the store had none, or an older copy)."""
    try:
        return (folder / GENERATION_FILE).read_text("utf-8").rstrip("\n") or None
    except FileNotFoundError:
        return None


PAGE = 200_000  # rows per request: under Virtuoso's ResultSetMaxRows and the engine's byte cap


def mirror(engine: RemoteEngine, into: Path, *, page: int = PAGE) -> Path:
    """Fetch the loaded graphs into ``into/gen-…/`` (reused when that generation is there already)."""
    generation = engine.refresh_generation()
    folder = into / folder_name(generation)
    if (folder / SNAPSHOT).is_file():
        return folder
    graphs = sorted(engine.graphs())
    if not graphs:
        raise StoreError(f"the remote store at {engine.config.query_url} holds no graph of this dataset "
                         "(load it with `iscg build --remote`)")
    for _ in range(3):
        rows = _fetch(engine, graphs, page)
        if rows is not None:
            break
        generation = engine.refresh_generation()  # written meanwhile: fetch the new generation
        folder = into / folder_name(generation)
        graphs = sorted(engine.graphs())
    else:
        raise StoreError("the remote store changed three times while its copy was fetched; try again")
    marker = ox.NamedNode(generation_iri(engine.config.base_iri))  # the store's bookkeeping, not data
    quads = [ox.Quad(r["s"], r["p"], _canonical(r["o"]), r["g"]) for r in rows if r["s"] != marker]
    # the token read with the data (in the same query on a small store: one snapshot on a
    # transactional server): what a write from this copy names as the generation it was computed on
    seen = [r["o"].value for r in rows if r["s"] == marker and isinstance(r["o"], ox.Literal)]
    write_copy(folder, quads, seen[0] if len(seen) == 1 else None, label=generation)
    return folder


def _fetch(engine: RemoteEngine, graphs: list[str], page: int) -> list[dict[str, Any]] | None:
    """Every quad of ``graphs``: one query when the dataset fits in ``page`` rows, else each graph in
    pages (``ORDER BY`` makes ``OFFSET`` stable); None if the generation moved during a paged fetch.
    The rows are counted against the server's own count: a server that cuts an answer silently at a
    row limit gives an error, never a partial copy."""
    timeout = max(engine.config.timeout, 300.0)
    values = " ".join(f"<{g}>" for g in graphs)
    counted = engine.select(f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} "
                            f"GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g", timeout=timeout)
    sizes = {r["g"].value: int(r["n"].value) for r in counted}
    if sum(sizes.values()) <= page:
        rows = engine.select(f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?g {{ {values} }} "
                             f"GRAPH ?g {{ ?s ?p ?o }} }}", timeout=timeout)
        _check(len(rows), sum(sizes.values()), engine)
        return rows
    before = engine.read_generation()
    rows = []
    for graph, size in sorted(sizes.items()):
        node = ox.NamedNode(graph)
        got = 0
        for offset in range(0, size, page):
            part = engine.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} "
                                 f"ORDER BY ?s ?p ?o LIMIT {page} OFFSET {offset}", timeout=timeout)
            rows += ({**r, "g": node} for r in part)
            got += len(part)
        _check(got, size, engine, graph)
    return rows if engine.read_generation() == before else None


_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
_BOOLEANS = {"1": "true", "0": "false"}


def _canonical(term: Any) -> Any:
    """A boolean as the build writes it: Virtuoso stores the value and answers ``"1"``/``"0"`` for
    ``true``/``false`` (the same value, another term: a copy must hold the build's terms). Numbers
    come back in Virtuoso's form too (``"1.0"^^xsd:double`` for ``"1"``): the same value, left as is."""
    if isinstance(term, ox.Literal) and term.datatype == _BOOLEAN and term.value in _BOOLEANS:
        return ox.Literal(_BOOLEANS[term.value], datatype=_BOOLEAN)
    return term


def _check(got: int, expected: int, engine: RemoteEngine, graph: str | None = None) -> None:
    if got != expected:
        where = f" of <{graph}>" if graph else ""
        raise StoreError(f"the remote store at {engine.config.query_url} answered {got} of the {expected} "
                         f"quads{where}: a row limit of the server (Virtuoso: ResultSetMaxRows) cuts answers")


def write_copy(folder: Path, quads: list[ox.Quad], token: str | None, *, label: object = None) -> Path:
    """Write ``quads`` as the copy of generation ``token`` in ``folder`` (a build directory)."""
    out = io.BytesIO()
    ox.serialize(quads, out, format=ox.RdfFormat.N_QUADS)
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for quad in quads:
        key = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        counts[key] = counts.get(key, 0) + 1
    shown = token if label is None else label
    version, _, rest = str(shown or "unloaded").partition(" ")
    built_at = rest.rpartition(" ")[0] or datetime.now(UTC).isoformat()
    # a write keeps the data version and build time in its token: the generation number tells
    # copies apart (what the write path's caches key on)
    number = int(hashlib.sha256(repr(shown).encode()).hexdigest()[:12], 16)
    meta = StoreMeta(data_version=version, built_at=built_at,
                     generation=number, triples=len(quads), graphs=counts)
    write_meta(folder, meta)
    atomic_write(folder / GENERATION_FILE, (token or "").encode("utf-8"))
    atomic_write(folder / SNAPSHOT, out.getvalue())
    return folder
