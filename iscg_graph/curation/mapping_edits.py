"""Editing an existing mapping record: its relation kind, justification, confidence and status.

A record of the register (``id/mapping/M0001``, from ``data/mappings/``) or a review decision
(``id/mapping/R0001``, in ``graph/reviews``) is changed in the graph that holds it, and its label is
made again as the build makes it (``"<subject> <phrase> <object>"`` for the register,
``"R0001: <subject> — <Kind> of — <object>"`` for a decision, ``not … of`` when rejected; a rejected
decision carries ``sssom:predicate_modifier "Not"``). Given to `WritePath.apply`, so the edit is
validated by the shapes, atomic and in the history; `iscg export` writes it back as cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from ..errors import WriteRefused
from ..vocab import JUSTIFICATIONS, ONTOLOGY_NS, RELATION_KINDS, RELATION_PHRASES, STATUSES
from .home_graph import home_graph

__all__ = ["CONFIDENCES", "MappingRecord", "edit_mapping", "mapping_record"]

_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_SEMAPV = "https://w3id.org/semapv/vocab/"
_JUSTIFICATION = ox.NamedNode("https://w3id.org/sssom/mapping_justification")
_MODIFIER = ox.NamedNode("https://w3id.org/sssom/predicate_modifier")
CONFIDENCES = ("Confirmed", "Unconfirmed")
_EDITABLE = re.compile(r"/id/mapping/[MR]\d{4,}$")  # the register's rows and review decisions


def _iscg(name: str) -> ox.NamedNode:
    return ox.NamedNode(ONTOLOGY_NS + name)


@dataclass(frozen=True)
class MappingRecord:
    iri: str
    subject: str
    object: str
    label: str
    relation_kind: str
    justification: str
    confidence: str
    status: str


def _one(store: ox.Store, s: ox.NamedNode, p: ox.NamedNode) -> ox.NamedNode | ox.Literal | None:
    for q in store.quads_for_pattern(s, p, None, None):
        if isinstance(q.object, ox.NamedNode | ox.Literal):
            return q.object
    return None


def _local(term: ox.NamedNode | ox.Literal | None) -> str:
    return "" if term is None else term.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _node(iri: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise WriteRefused(f"{iri!r} is not an IRI") from exc


def mapping_record(store: ox.Store, iri: str) -> MappingRecord | None:
    """The record's current values, or None if ``iri`` is no mapping record of the register."""
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return None
    types = {q.object for q in store.quads_for_pattern(node, _RDF_TYPE, None, None)}
    if not types & {_iscg("Mapping"), _iscg("Link")} or not _EDITABLE.search(iri):
        return None
    subject, obj, label = (_one(store, node, _iscg("subject")), _one(store, node, _iscg("object")),
                           _one(store, node, _LABEL))
    def get(predicate: ox.NamedNode) -> str:
        return _local(_one(store, node, predicate))

    return MappingRecord(iri, subject.value if subject else "", obj.value if obj else "",
                         label.value if label else iri, get(_iscg("relationKind")), get(_JUSTIFICATION),
                         get(_iscg("confidence")), get(_iscg("status")))


def _words(store: ox.Store, iri: str) -> str:
    for q in store.quads_for_pattern(ox.NamedNode(iri), _LABEL, None, None):
        if isinstance(q.object, ox.Literal) and q.object.language == "en":
            return q.object.value
    return iri


def _check(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise WriteRefused(f"{what} {value!r} is not one of {', '.join(allowed)}")
    return value


def edit_mapping(work: ox.Store, iri: str, *, relation_kind: str, justification: str, confidence: str,
                 status: str) -> None:
    """Set the four values of the record ``iri`` (in ``work``) and make its label again."""
    record = mapping_record(work, iri)
    if record is None:
        raise WriteRefused(f"{iri} is not a mapping record of the register")
    values = {
        _iscg("relationKind"): _iscg(_check(relation_kind, RELATION_KINDS, "relation kind")),
        _JUSTIFICATION: ox.NamedNode(_SEMAPV + _check(justification, JUSTIFICATIONS, "justification")),
        _iscg("confidence"): _iscg(_check(confidence, CONFIDENCES, "confidence")),
        _iscg("status"): _iscg(_check(status, STATUSES, "status")),
    }
    node = _node(iri)
    home = home_graph(work, node)  # the graph describing it (not the entailment graph's copy)
    for predicate, value in values.items():
        for q in list(work.quads_for_pattern(node, predicate, None, None)):
            work.remove(q)
        work.add(ox.Quad(node, predicate, value, home))
    decision = iri.rsplit("/", 1)[-1].startswith("R")
    subject, obj = _words(work, record.subject), _words(work, record.object)
    if decision:  # a review decision: as `iscg_graph.overlap.review.decision_graph` labels it
        for q in list(work.quads_for_pattern(node, _MODIFIER, None, None)):
            work.remove(q)
        if status == "Rejected":
            work.add(ox.Quad(node, _MODIFIER, ox.Literal("Not"), home))
        verb = f"not {relation_kind} of" if status == "Rejected" else f"{relation_kind} of"
        label = f"{iri.rsplit('/', 1)[-1]}: {subject} — {verb} — {obj}"
    else:  # a row of the register: as the build labels it
        label = f"{subject} {RELATION_PHRASES.get(relation_kind, relation_kind)} {obj}"
    for q in list(work.quads_for_pattern(node, _LABEL, None, None)):
        if isinstance(q.object, ox.Literal) and q.object.language == "en":
            work.remove(q)
    work.add(ox.Quad(node, _LABEL, ox.Literal(label, language="en"), home))
