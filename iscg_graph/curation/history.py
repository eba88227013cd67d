"""The journal: one PROV-O record per committed change, in the named graph ``graph/changes``.

Kept in the store itself, so that a change and its record are committed in the same transaction
(nothing recorded that did not happen, nothing happened that is not recorded), and so that every
dump contains the history. A record::

    <id/change/12> a prov:Activity ;
        rdfs:label "change 12"@en ;
        dct:identifier "12" ;
        dct:type "sparql-update" ;                      # or graph-store, form, review, revert, replay
        dct:creator "alice" ;  prov:wasAssociatedWith <id/agent/alice> ;
        prov:endedAtTime "2026-12-06T04:40:00Z"^^xsd:dateTime ;
        rdfs:comment "why, as the person wrote it" ;
        dct:description "POST /sparql from 127.0.0.1" ;  # the route and client
        dct:subject <id/question/…> , … ;               # every IRI the change touched
        prov:wasInformedBy <id/change/7> ;              # a revert: the change it undoes
        rdf:value "TX .\\nD … .\\nA … .\\nTC .\\n" .     # the exact quads, as RDF Patch
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from .patch import Patch, parse_patch

__all__ = ["CHANGES_GRAPH", "ChangeRecord", "change_iri", "change_quads", "changes", "changes_about",
           "get_change", "next_number"]

CHANGES_GRAPH = "https://w3id.org/iscg/graph/changes"

_PROV = "http://www.w3.org/ns/prov#"
_DCT = "http://purl.org/dc/terms/"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_XSD = "http://www.w3.org/2001/XMLSchema#"

TYPE = ox.NamedNode(_RDF + "type")
ACTIVITY = ox.NamedNode(_PROV + "Activity")
P = {
    "label": ox.NamedNode(_RDFS + "label"),
    "identifier": ox.NamedNode(_DCT + "identifier"),
    "kind": ox.NamedNode(_DCT + "type"),
    "author": ox.NamedNode(_DCT + "creator"),
    "agent": ox.NamedNode(_PROV + "wasAssociatedWith"),
    "at": ox.NamedNode(_PROV + "endedAtTime"),
    "comment": ox.NamedNode(_RDFS + "comment"),
    "origin": ox.NamedNode(_DCT + "description"),
    "about": ox.NamedNode(_DCT + "subject"),
    "reverts": ox.NamedNode(_PROV + "wasInformedBy"),
    "patch": ox.NamedNode(_RDF + "value"),
}
_NUMBER = re.compile(r"/id/change/(\d+)$")


@dataclass(frozen=True)
class ChangeRecord:
    number: int
    iri: str
    kind: str
    author: str
    at: str
    comment: str
    origin: str
    patch_text: str
    about: tuple[str, ...] = field(default_factory=tuple)
    reverts: str | None = None

    @property
    def patch(self) -> Patch:
        return parse_patch(self.patch_text)

    @property
    def added(self) -> int:
        return sum(1 for line in self.patch_text.splitlines() if line.startswith("A "))

    @property
    def removed(self) -> int:
        return sum(1 for line in self.patch_text.splitlines() if line.startswith("D "))

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.number, "iri": self.iri, "kind": self.kind, "author": self.author, "at": self.at,
            "comment": self.comment, "origin": self.origin, "added": self.added, "removed": self.removed,
            "about": list(self.about), "reverts": self.reverts, "patch": self.patch_text,
        }


def change_iri(base: str, number: int) -> str:
    return f"{base}id/change/{number}"


def _slug(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9.-]", "-", text.strip().lower())).strip("-.") or "unknown"


def change_quads(record: ChangeRecord, base: str) -> list[ox.Quad]:
    g = ox.NamedNode(CHANGES_GRAPH)
    s = ox.NamedNode(record.iri)

    def lit(value: str, datatype: str | None = None) -> ox.Literal:
        return ox.Literal(value, datatype=ox.NamedNode(datatype)) if datatype else ox.Literal(value)

    quads = [
        ox.Quad(s, TYPE, ACTIVITY, g),
        ox.Quad(s, P["label"], ox.Literal(f"change {record.number}", language="en"), g),
        ox.Quad(s, P["identifier"], lit(str(record.number)), g),
        ox.Quad(s, P["kind"], lit(record.kind), g),
        ox.Quad(s, P["author"], lit(record.author), g),
        ox.Quad(s, P["agent"], ox.NamedNode(f"{base}id/agent/{_slug(record.author)}"), g),
        ox.Quad(s, P["at"], lit(record.at, _XSD + "dateTime"), g),
        ox.Quad(s, P["origin"], lit(record.origin), g),
        ox.Quad(s, P["patch"], lit(record.patch_text), g),
    ]
    if record.comment:
        quads.append(ox.Quad(s, P["comment"], lit(record.comment), g))
    if record.reverts:
        quads.append(ox.Quad(s, P["reverts"], ox.NamedNode(record.reverts), g))
    for iri in sorted(record.about):
        try:
            quads.append(ox.Quad(s, P["about"], ox.NamedNode(iri), g))
        except ValueError:  # pragma: no cover - IRIs come from the store
            continue
    return quads


def _one(store: ox.Store, s: ox.NamedNode, p: ox.NamedNode) -> str:
    for q in store.quads_for_pattern(s, p, None, ox.NamedNode(CHANGES_GRAPH)):
        return _text(q.object)
    return ""


def _text(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    return str(term) if isinstance(term, ox.Triple) else term.value


def _record(store: ox.Store, s: ox.NamedNode) -> ChangeRecord | None:
    m = _NUMBER.search(s.value)
    if not m:
        return None
    about = tuple(sorted(_text(q.object) for q in
                         store.quads_for_pattern(s, P["about"], None, ox.NamedNode(CHANGES_GRAPH))))
    return ChangeRecord(
        number=int(m.group(1)), iri=s.value, kind=_one(store, s, P["kind"]),
        author=_one(store, s, P["author"]),
        at=_one(store, s, P["at"]), comment=_one(store, s, P["comment"]), origin=_one(store, s, P["origin"]),
        patch_text=_one(store, s, P["patch"]), about=about, reverts=_one(store, s, P["reverts"]) or None,
    )


def _subjects(store: ox.Store) -> Iterable[ox.NamedNode]:
    for q in store.quads_for_pattern(None, TYPE, ACTIVITY, ox.NamedNode(CHANGES_GRAPH)):
        if isinstance(q.subject, ox.NamedNode):
            yield q.subject


def changes(store: ox.Store, *, limit: int | None = None, offset: int = 0) -> list[ChangeRecord]:
    """Newest first."""
    records = [r for s in _subjects(store) if (r := _record(store, s)) is not None]
    records.sort(key=lambda r: -r.number)
    return records[offset: None if limit is None else offset + limit]


def get_change(store: ox.Store, base: str, number: int) -> ChangeRecord | None:
    s = ox.NamedNode(change_iri(base, number))
    if not any(True for _ in store.quads_for_pattern(s, TYPE, ACTIVITY, ox.NamedNode(CHANGES_GRAPH))):
        return None
    return _record(store, s)


def changes_about(store: ox.Store, iri: str) -> list[ChangeRecord]:
    """The changes that touched ``iri``, newest first."""
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return []
    found = [r for q in store.quads_for_pattern(None, P["about"], node, ox.NamedNode(CHANGES_GRAPH))
             if isinstance(q.subject, ox.NamedNode) and (r := _record(store, q.subject)) is not None]
    return sorted(found, key=lambda r: -r.number)


def next_number(store: ox.Store) -> int:
    numbers = [int(m.group(1)) for s in _subjects(store) if (m := _NUMBER.search(s.value))]
    return max(numbers, default=0) + 1
