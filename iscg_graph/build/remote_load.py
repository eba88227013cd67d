"""Loading a validated build into a remote SPARQL 1.1 server, so readers never see half of it.

`iscg build --remote` first builds and validates exactly as a local build does (the same store
directory, candidates, dumps); this module then copies that build's ``snapshot.nq`` to the server
with SPARQL Update and records a new generation token in the meta graph
(``<{base}graph/meta#generation> dct:identifier "…"``), which every service replica polls.

Two ways, chosen per server (what each guarantees is in docs/notes/remote.md):

- ``transaction`` (Oxigraph server): ONE update request drops the graphs of the previous load,
  inserts every graph of the new build and the new token. Oxigraph applies an update request as
  one transaction: a reader sees the old dataset or the new one, nothing in between.
- ``staged`` (Virtuoso, other servers, large builds): the graphs are first written in batches to
  staging graphs ``{base}graph/staging/<token>/<name>``, which the engine never shows (it names the
  dataset's graphs explicitly on such servers), then one short request drops the old graphs, moves
  each staging graph in place and writes the token. Only that last request's run (milliseconds on
  this graph) can show a mixture, on servers that do not run an update request atomically.

- ``gsp`` (large builds on a server with the Graph Store Protocol, e.g. Oxigraph server's
  ``/store``): as ``staged``, but the staging graphs are written as N-Triples in large chunks
  (``POST {gsp_url}?graph=…``), parsed by the server as data rather than as update text; the switch
  is the same one update request (one transaction on Oxigraph server: atomic).

Only graphs under ``{base}graph/`` are touched: other data on a shared server is left alone.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pyoxigraph as ox

from ..curation.history import CHANGES_GRAPH
from ..query.remote import RemoteEngine, generation_iri, meta_graph_iri
from ..rdf.snapshot_export import current_quads
from ..rdf.store import read_meta

__all__ = ["LoadResult", "Strategy", "fetch_journal", "load_build", "make_token", "staging_prefix",
           "write_generation"]

Strategy = Literal["transaction", "staged", "gsp"]
_DCT_IDENTIFIER = "http://purl.org/dc/terms/identifier"


@dataclass(frozen=True)
class LoadResult:
    generation: str
    triples: int
    graphs: int
    requests: int
    strategy: Strategy


def staging_prefix(base: str) -> str:
    return f"{base}graph/staging/"


def _ours(base: str, graph: str) -> bool:
    return graph.startswith(f"{base}graph/")


def _insert_data(graph: str, lines: Iterable[str]) -> str:
    return f"INSERT DATA {{ GRAPH <{graph}> {{\n" + "\n".join(lines) + "\n} }"


def _token_insert(base: str, token: str) -> str:
    literal = ox.Literal(token)
    return (f"INSERT DATA {{ GRAPH <{meta_graph_iri(base)}> {{ <{generation_iri(base)}> "
            f"<{_DCT_IDENTIFIER}> {literal} }} }}")


def make_token(data_version: str, built_at: str) -> str:
    """``<data version> <build time> <random>``: what the build was, and which load of it."""
    return f"{data_version} {built_at} {uuid.uuid4().hex[:16]}"


def write_generation(engine: RemoteEngine, base: str, token: str | None = None) -> str:
    """Record a new generation token (after a write made outside `load_build`); returns it."""
    token = token or make_token("written", "")
    engine.update(f"DELETE WHERE {{ GRAPH <{meta_graph_iri(base)}> {{ <{generation_iri(base)}> "
                  f"<{_DCT_IDENTIFIER}> ?old }} }} ;\n" + _token_insert(base, token))
    return token


def fetch_journal(engine: RemoteEngine) -> ox.Store:
    """The change journal kept in the remote store (the changes written through the service there),
    to replay on a new build before it replaces the loaded one."""
    journal = ox.Store()
    graph = ox.NamedNode(CHANGES_GRAPH)
    rows = engine.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{CHANGES_GRAPH}> {{ ?s ?p ?o }} }}",
                         timeout=max(engine.config.timeout, 300.0))
    journal.extend(ox.Quad(r["s"], r["p"], r["o"], graph) for r in rows)
    return journal


def _existing(engine: RemoteEngine) -> set[str]:
    rows = engine.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    return {row["g"].value for row in rows if isinstance(row.get("g"), ox.NamedNode)}


def load_build(build_dir: Path, engine: RemoteEngine, *, base: str, strategy: Strategy = "transaction",
               batch: int = 500, progress: Callable[[int, int], None] | None = None) -> LoadResult:
    """Copy the build at ``build_dir`` into the remote store and switch readers to it."""
    meta = read_meta(build_dir)
    by_graph: dict[str, list[str]] = defaultdict(list)
    # the snapshot as it is, or with the deltas of the writes made since (never a stale file)
    for quad in current_quads(build_dir):
        if not isinstance(quad.graph_name, ox.NamedNode):
            raise ValueError("the build has triples outside a named graph: cannot load it remotely")
        by_graph[quad.graph_name.value].append(f"{quad.subject} {quad.predicate} {quad.object} .")
    token = make_token(meta.data_version, meta.built_at)
    old = {g for g in _existing(engine) if _ours(base, g)}
    total = sum(len(v) for v in by_graph.values())
    drops = [f"DROP SILENT GRAPH <{g}>" for g in sorted(old | set(by_graph))]
    if strategy == "transaction":
        parts = drops + [_insert_data(g, lines) for g, lines in sorted(by_graph.items())]
        parts.append(_token_insert(base, token))
        engine.update(" ;\n".join(parts))
        if progress:
            progress(total, total)
        return LoadResult(token, total, len(by_graph), 1, strategy)
    # staged: batches into staging graphs, then one short switch
    stage = f"{staging_prefix(base)}{token.rsplit(' ', 1)[-1]}/"
    staged: dict[str, str] = {}
    requests = done = 0
    if strategy == "gsp":
        batch = max(batch, 50_000)  # data, not update text: the server parses large bodies quickly
    for graph, lines in sorted(by_graph.items()):
        target = stage + graph.rsplit("/", 1)[-1]
        staged[graph] = target
        for start in range(0, len(lines), batch):
            if strategy == "gsp":
                engine.gsp_post(target, ("\n".join(lines[start:start + batch]) + "\n").encode("utf-8"))
            else:
                engine.update(_insert_data(target, lines[start:start + batch]))
            requests += 1
            done += len(lines[start:start + batch])
            if progress:
                progress(done, total)
    gone = sorted(g for g in old if g not in staged and not g.startswith(staging_prefix(base)))
    switch = [f"DROP SILENT GRAPH <{g}>" for g in gone]
    switch += [f"MOVE SILENT GRAPH <{src}> TO GRAPH <{dst}>" for dst, src in sorted(staged.items())]
    switch.append(_token_insert(base, token))
    engine.update(" ;\n".join(switch))
    leftovers = [g for g in _existing(engine) if g.startswith(staging_prefix(base))]
    if leftovers:  # an earlier load that failed half-way
        engine.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in leftovers))
    return LoadResult(token, total, len(by_graph), requests + 1, strategy)
