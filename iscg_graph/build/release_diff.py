"""What changed between two releases (or a release and the live data), for people and machines.

Blank nodes: the two datasets are compared graph by graph after canonicalisation. Every named
graph holding a blank node is relabelled with `rdflib.compare.to_canonical_graph` (the RDFC-style
hashing of rdflib: a blank node's label is derived from the statements around it), so the same
structure gets the same labels on both sides and a statement set difference is meaningful; graphs
without blank nodes are compared as they are. The difference is then

- a `Diff` of quads (removed, added) over the canonical forms: written as RDF Patch (`to_patch`;
  ``TX .``, ``D``/``A`` rows, ``TC .``), which `apply_patch` applied to the canonical quads of the
  first dataset turns into those of the second;
- a readable list of items (`changes`): each subject IRI added, retired or changed, with its class,
  label and per property the values removed and added. Statements about a blank node count for the
  item that points to it. The dataset's own description (``graph/meta``) is left out of this list
  (its build time changes with every build), never out of the patch.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.compare import to_canonical_graph

from ..errors import (
    ISCGError,
    PatchError,  # noqa: F401 (defined in the one tree, re-exported here)
    StoreError,
)
from ..rdf.snapshot_export import current_nquads
from ..rdf.store import SNAPSHOT
from ..vocab import DCT, RDF, RDFS, SKOS, curie, prefixes

__all__ = ["Change", "Diff", "Item", "apply_patch", "canonical_quads", "diff", "diff_paths", "parse_patch"]

Quad = tuple[str, str, str, str]  # subject, predicate, object, graph: N-Triples forms
_LABELS = (SKOS + "prefLabel", RDFS + "label", DCT + "title")
_TYPE = RDF + "type"


def canonical_quads(nquads: bytes) -> set[Quad]:
    """The dataset's quads, with the blank nodes of each named graph canonically labelled."""
    per_graph: dict[str, list[ox.Quad]] = {}
    for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
        per_graph.setdefault(str(q.graph_name), []).append(q)
    out: set[Quad] = set()
    for graph, quads in per_graph.items():
        if any(isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) for q in quads):
            triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
            g = rdflib.Graph()
            g.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"", format="nt")
            body = to_canonical_graph(g).serialize(format="nt", encoding="utf-8")
            for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
                out.add((str(t.subject), str(t.predicate), str(t.object), graph))
        else:
            out.update((str(q.subject), str(q.predicate), str(q.object), graph) for q in quads)
    return out


@dataclass
class Change:
    property: str
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)


@dataclass
class Item:
    iri: str
    status: str  # added | retired | changed
    cls: str
    label: str
    changes: list[Change]


@dataclass
class Diff:
    before: str
    after: str
    removed: set[Quad]
    added: set[Quad]
    items: list[Item]

    def counts(self) -> dict[str, dict[str, int]]:
        """Per class: how many items were added, retired, changed."""
        out: dict[str, dict[str, int]] = {}
        for item in self.items:
            row = out.setdefault(item.cls, {"added": 0, "retired": 0, "changed": 0})
            row[item.status] += 1
        return dict(sorted(out.items()))


def _snapshot(path: Path) -> bytes:
    """The dataset of a release or store folder (a store's snapshot with its deltas applied)."""
    snap = Path(path) / SNAPSHOT
    try:
        return current_nquads(path)
    except (OSError, StoreError) as exc:
        raise ISCGError(f"cannot read {snap}: {exc}") from exc


def diff_paths(before: Path, after: Path, *, base: str, before_name: str = "", after_name: str = "") -> Diff:
    """Diff two built datasets (release folders or store folders: anything with ``snapshot.nq``)."""
    return diff(_snapshot(before), _snapshot(after), base=base,
                before_name=before_name or str(before), after_name=after_name or str(after))


def diff(before: bytes, after: bytes, *, base: str, before_name: str = "a", after_name: str = "b") -> Diff:
    a, b = canonical_quads(before), canonical_quads(after)
    removed, added = a - b, b - a
    return Diff(before_name, after_name, removed, added, _items(a, b, removed, added, base))


def _text(term: str) -> str:
    """A term as people read it: an IRI without brackets, a literal's text (with its language)."""
    if term.startswith("<") and term.endswith(">"):
        return term[1:-1]
    if term.startswith('"'):
        lit = next(iter(ox.parse(f"<x:s> <x:p> {term} .", format=ox.RdfFormat.N_TRIPLES))).object
        assert isinstance(lit, ox.Literal)
        return f"{lit.value} @{lit.language}" if lit.language else lit.value
    return term


def _owners(quads: set[Quad]) -> dict[str, str]:
    """Blank node -> the IRI whose statements lead to it (following nested blank nodes)."""
    parent: dict[str, str] = {}
    for s, _p, o, _g in quads:
        if o.startswith("_:") and o not in parent:
            parent[o] = s
    owners: dict[str, str] = {}
    for node in parent:
        seen, cur = {node}, parent[node]
        while cur.startswith("_:") and cur in parent and parent[cur] not in seen:
            seen.add(cur)
            cur = parent[cur]
        owners[node] = cur
    return owners


def _items(a: set[Quad], b: set[Quad], removed: set[Quad], added: set[Quad], base: str) -> list[Item]:
    meta = f"<{base}graph/meta>"
    table = prefixes(base)
    owners_a, owners_b = _owners(a), _owners(b)
    subjects_a = {s for s, *_ in a if s.startswith("<")}
    subjects_b = {s for s, *_ in b if s.startswith("<")}
    touched: dict[str, dict[str, Change]] = {}

    def note(quad: Quad, owners: dict[str, str], added_side: bool) -> None:
        s, p, o, g = quad
        if g == meta:
            return
        owner = owners.get(s, s) if s.startswith("_:") else s
        name = _short(p[1:-1], table) + ("" if s == owner else " (of a blank node)")
        change = touched.setdefault(owner, {}).setdefault(name, Change(name))
        if o.startswith("<"):
            value = _short(_text(o), table)
        else:
            value = "[blank node]" if o.startswith("_:") else _text(o)
        (change.added if added_side else change.removed).append(value)

    for quad in sorted(removed):
        note(quad, owners_a, False)
    for quad in sorted(added):
        note(quad, owners_b, True)
    types = {side: _index(q, _TYPE) for side, q in (("a", a), ("b", b))}
    labels = {side: _labels(q) for side, q in (("a", a), ("b", b))}
    items: list[Item] = []
    for iri, changes in sorted(touched.items()):
        if iri in subjects_b and iri not in subjects_a:
            status = "added"
        elif iri in subjects_a and iri not in subjects_b:
            status = "retired"
        else:
            status = "changed"
        classes = types["b"].get(iri) or types["a"].get(iri) or []
        cls = _short(_text(sorted(classes)[0]), table) if classes else "(untyped)"
        label = labels["b"].get(iri) or labels["a"].get(iri) or ""
        for change in changes.values():
            change.removed.sort()
            change.added.sort()
        items.append(Item(_text(iri), status, cls, label, sorted(changes.values(), key=lambda c: c.property)))
    order = {"added": 0, "changed": 1, "retired": 2}
    return sorted(items, key=lambda i: (i.cls, order[i.status], i.iri))


def _short(iri: str, table: dict[str, str]) -> str:
    return curie(iri, table) or iri


def _index(quads: set[Quad], predicate: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    p = f"<{predicate}>"
    for s, pred, o, _g in quads:
        if pred == p:
            out.setdefault(s, []).append(o)
    return out


def _labels(quads: set[Quad]) -> dict[str, str]:
    best: dict[str, tuple[int, str]] = {}
    rank = {f"<{p}>": i for i, p in enumerate(_LABELS)}
    for s, p, o, _g in quads:
        if p in rank and o.startswith('"'):
            english = o.endswith("@en") or "@" not in o.rsplit('"', 1)[-1]
            key = rank[p] * 2 + (0 if english else 1)
            if s not in best or key < best[s][0]:
                best[s] = (key, _text(o).removesuffix(" @en"))
    return {s: v for s, (_k, v) in best.items()}


# -- RDF Patch -----------------------------------------------------------------------------------
def to_patch(d: Diff) -> str:
    """RDF Patch (https://afs.github.io/rdf-patch/): one transaction, deletions then additions."""
    lines = [f"H note \"{_escape(f'from {d.before} to {d.after}')}\" .", "TX ."]
    lines += [f"D {s} {p} {o} {g} ." for s, p, o, g in sorted(d.removed)]
    lines += [f"A {s} {p} {o} {g} ." for s, p, o, g in sorted(d.added)]
    lines.append("TC .")
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def parse_patch(text: str) -> tuple[list[Quad], list[Quad]]:
    """The deletions and additions of an RDF Patch (rows D and A; H, TX, TC, TA lines read and
    checked; a patch without TC is refused: it was cut short)."""
    deletions: list[Quad] = []
    additions: list[Quad] = []
    committed = False
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        op, _, rest = line.partition(" ")
        if op in ("H", "TX", "PA", "PD"):
            continue
        if op in ("TC", "TA"):
            committed = op == "TC"
            continue
        if op not in ("A", "D"):
            raise PatchError(f"line {number}: unknown RDF Patch row {op!r}")
        try:
            quads = list(ox.parse(rest, format=ox.RdfFormat.N_QUADS))
        except SyntaxError as exc:
            raise PatchError(f"line {number}: {exc}") from None
        if len(quads) != 1 or isinstance(quads[0].graph_name, ox.DefaultGraph):
            raise PatchError(f"line {number}: expected one quad with a named graph")
        q = quads[0]
        row = (str(q.subject), str(q.predicate), str(q.object), str(q.graph_name))
        (additions if op == "A" else deletions).append(row)
    if not committed:
        raise PatchError("the patch has no 'TC .': it is incomplete or was aborted")
    return deletions, additions


def apply_patch(quads: Iterable[Quad], text: str) -> set[Quad]:
    """``quads`` (canonical, as `canonical_quads` gives them) after the patch; a deletion of a
    quad that is not there is refused (the patch was made for other data)."""
    out = set(quads)
    deletions, additions = parse_patch(text)
    for q in deletions:
        if q not in out:
            raise PatchError(f"cannot delete {' '.join(q)}: not in the data")
        out.discard(q)
    out.update(additions)
    return out


def to_nquads(quads: Iterable[Quad]) -> bytes:
    return "".join(f"{s} {p} {o} {g} .\n" for s, p, o, g in sorted(quads)).encode("utf-8")
