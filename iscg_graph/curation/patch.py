"""The exact quads a change adds and removes, as RDF Patch text and as one atomic SPARQL Update.

A `Patch` is computed by comparing the dataset before and after a change (`diff`), so every way of
writing (SPARQL Update, Graph Store Protocol, forms, review decisions) is recorded the same way.
Its text form is RDF Patch (``A``/``D`` rows of N-Quads terms, between ``TX .`` and ``TC .``), the
format Apache Jena's RDF Delta uses, so a patch can be read by people and by other tools.

`update_text` turns a patch into one SPARQL Update request that Oxigraph applies in a single
transaction. ``DELETE DATA`` cannot name blank nodes, so a graph that loses a blank-node quad is
cleared and written again whole (its new content, with fresh blank nodes: the same graph up to
blank-node renaming).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from ..errors import ChangeConflict

__all__ = ["Patch", "diff", "parse_patch", "update_text"]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


@dataclass(frozen=True)
class Patch:
    removed: tuple[ox.Quad, ...]
    added: tuple[ox.Quad, ...]

    def __bool__(self) -> bool:
        return bool(self.removed or self.added)

    def inverse(self) -> Patch:
        return Patch(self.added, self.removed)

    def text(self) -> str:
        """RDF Patch: deletions first, then additions, each sorted (deterministic)."""
        lines = ["TX ."]
        lines += sorted(f"D {_quad(q)} ." for q in self.removed)
        lines += sorted(f"A {_quad(q)} ." for q in self.added)
        lines.append("TC .")
        return "\n".join(lines) + "\n"

    def graphs(self) -> set[str]:
        return {_graph_key(q.graph_name) for q in (*self.removed, *self.added)}

    def subjects(self) -> set[str]:
        """IRIs of the subjects and IRI objects touched (not classes named by rdf:type): what a
        resource's history is looked up by."""
        out: set[str] = set()
        for q in (*self.removed, *self.added):
            if isinstance(q.subject, ox.NamedNode):
                out.add(q.subject.value)
            if isinstance(q.object, ox.NamedNode) and q.predicate.value != _RDF_TYPE:
                out.add(q.object.value)
        return out


def _graph_key(g: GraphName) -> str:
    return g.value if isinstance(g, ox.NamedNode) else ""


def _quad(q: ox.Quad) -> str:
    g = q.graph_name
    graph = "" if isinstance(g, ox.DefaultGraph) else f" {g}"
    return f"{q.subject} {q.predicate} {q.object}{graph}"


def diff(before: Iterable[ox.Quad], after: Iterable[ox.Quad], *,
         skip_graphs: frozenset[str] = frozenset()) -> Patch:
    """What turns ``before`` into ``after`` (graphs in ``skip_graphs`` ignored)."""
    def keep(q: ox.Quad) -> bool:
        return _graph_key(q.graph_name) not in skip_graphs or isinstance(q.graph_name, ox.DefaultGraph)

    old = {q for q in before if keep(q)}
    new = {q for q in after if keep(q)}
    return Patch(tuple(old - new), tuple(new - old))


def parse_patch(text: str) -> Patch:
    """An RDF Patch written by `Patch.text` back into quads."""
    removed: list[ox.Quad] = []
    added: list[ox.Quad] = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line in ("TX .", "TC .") or line.startswith("#"):
            continue
        op, _, rest = line.partition(" ")
        if op not in ("A", "D"):
            raise ChangeConflict(f"RDF Patch line {number}: unknown row kind {op!r}")
        try:
            quads = list(ox.parse(rest.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
        except SyntaxError as exc:
            raise ChangeConflict(f"RDF Patch line {number}: {exc}") from exc
        (added if op == "A" else removed).extend(quads)
    return Patch(tuple(removed), tuple(added))


def _block(quads: Iterable[ox.Quad]) -> str:
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        g = q.graph_name
        key = "" if isinstance(g, ox.DefaultGraph) else str(g)
        by_graph.setdefault(key, []).append(f"{q.subject} {q.predicate} {q.object} .")
    parts = []
    for name, lines in sorted(by_graph.items()):
        body = "\n".join(sorted(lines))
        parts.append(body if not name else f"GRAPH {name} {{\n{body}\n}}")
    return "\n".join(parts)


def update_text(patch: Patch, after: ox.Store, extra: Iterable[ox.Quad] = ()) -> str:
    """One SPARQL Update applying ``patch`` (plus ``extra`` quads added), for a single transaction.

    ``after`` is the dataset as it will be, used for graphs that lose blank nodes (rewritten whole).
    """
    rewrite: set[GraphName] = {
        q.graph_name for q in patch.removed
        if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)
    }
    removed = [q for q in patch.removed if q.graph_name not in rewrite]
    added = [q for q in patch.added if q.graph_name not in rewrite]
    for g in rewrite:
        added += list(after.quads_for_pattern(None, None, None, g))
    added += list(extra)
    ops = []
    for g in sorted(rewrite, key=str):
        ops.append("CLEAR DEFAULT" if isinstance(g, ox.DefaultGraph) else f"CLEAR SILENT GRAPH {g}")
    if removed:
        ops.append("DELETE DATA {\n" + _block(removed) + "\n}")
    if added:
        ops.append("INSERT DATA {\n" + _block(added) + "\n}")
    return " ;\n".join(ops)
