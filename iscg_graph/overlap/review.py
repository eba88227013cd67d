"""Review decisions on candidate overlaps -> validated mapping records in ``graph/reviews``.

A decision (accept with a relation kind, or reject; reviewer; comment) becomes one register entry
``id/mapping/R0001`` … (numbered in the write that records it, `review_register`): an
``iscg:Mapping`` between items of two Union parts, or an ``iscg:Link`` between two themes (themes
have no Sector), with status ``iscg:Accepted`` / ``iscg:Rejected``, ``prov:wasAttributedTo`` the
reviewer (``id/agent/<slug>``), ``dct:date``, ``rdfs:comment`` and ``sssom:mapping_justification
semapv:ManualMappingCuration``. A rejection keeps the proposed predicate with
``sssom:predicate_modifier "Not"`` (SSSOM's negated mapping).

`prepare_decision` checks the decision on the store (the items, the pair, no earlier decision on
it) and gives the change (`DecisionWrite`) that the service's write path applies: it mints the number
and checks the pair again on the dataset the write computes on, and the write path's validation of
the dataset-after (one per decision) checks the shapes; `shapes_refusal` is the 422 it then gives.
`record_decision` does the same without a write path (the CLI): it validates the record with the
two items' Sectors against the shapes and commits it in one transaction. Either way a violation
raises `DecisionInvalid` and the store is untouched. The SSSOM export is `iscg_graph.overlap.sssom`.

    ISCGError (iscg_graph.errors, where these live)
    └── ReviewError
        ├── DecisionInvalid      the decision names unknown items, an impossible pair, or breaks a shape
        └── DecisionConflict     the pair already has a review decision
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date as Date
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD

from ..errors import DecisionConflict, DecisionInvalid, ReviewError  # re-exported: callers import them here
from ..query import sparql
from ..rdf.store import EmbeddedStore
from ..vocab import ONTOLOGY_NS
from .corpus import ITEM_CLASS, _value
from .review_register import counter_quad, mapping_iri, next_number, read_as
from .sssom import SEMAPV, SSSOM, SSSOM_COLUMNS, sssom_rows, sssom_tsv  # the export, re-exported here

__all__ = [
    "carry_over_reviews",
    "Decision",
    "DecisionWrite",
    "DecisionConflict",
    "DecisionInvalid",
    "RELATIONS",
    "ReviewError",
    "ReviewOutcome",
    "decision_graph",
    "prepare_decision",
    "record_decision",
    "reviews_graph",
    "sssom_rows",
    "shapes_refusal",
    "sssom_tsv",
    "SSSOM_COLUMNS",
]

# The ontology's namespace is the vocabulary's (fixed); what a review mints (the register entry,
# the reviewer agent, the reviews graph) is under the deployment's public base, given by the caller.
ISCG = Namespace(ONTOLOGY_NS)
_RDF_TYPE, _PROV_AGENT = ox.NamedNode(str(RDF.type)), ox.NamedNode(str(PROV.Agent))

RELATIONS: dict[str, tuple[str, URIRef]] = {
    "duplicate": ("Duplicate", SKOS.exactMatch),
    "overlap": ("Overlap", SKOS.closeMatch),
    "complementary": ("Complementary", SKOS.relatedMatch),
    "already-coordinated": ("AlreadyCoordinated", SKOS.relatedMatch),
}
"""Relation kind (as a reviewer names it) -> (iscg: relation kind, SKOS mapping predicate)."""

_PAIRS = {
    frozenset({"question"}),
    frozenset({"question", "study-group"}),
    frozenset({"resolution"}),
    frozenset({"theme"}),
}


@dataclass(frozen=True)
class Decision:
    left: str
    right: str
    decision: str  # accept | reject
    reviewer: str
    relation: str | None = None  # duplicate | overlap | complementary | already-coordinated
    comment: str = ""
    on: Date | None = None

    def normalised(self) -> Decision:
        decision = self.decision.strip().lower()
        if decision not in ("accept", "reject"):
            raise DecisionInvalid(f"decision must be 'accept' or 'reject', not {self.decision!r}")
        relation = (self.relation or "").strip().lower().replace("_", "-").replace(" ", "-") or None
        if decision == "accept" and relation is None:
            raise DecisionInvalid("an accepted candidate needs a relation kind: " + ", ".join(RELATIONS))
        if relation is not None and relation not in RELATIONS:
            raise DecisionInvalid(f"relation must be one of {', '.join(RELATIONS)}, not {self.relation!r}")
        if not _slug(self.reviewer):
            raise DecisionInvalid("reviewer is required (a name or an identifier)")
        if self.left == self.right:
            raise DecisionInvalid("left and right are the same item")
        return Decision(
            self.left.strip(),
            self.right.strip(),
            decision,
            self.reviewer.strip(),
            relation or "overlap",
            self.comment.strip(),
            self.on,
        )


@dataclass(frozen=True)
class ReviewOutcome:
    mapping: str
    status: str  # Accepted | Rejected
    relation: str
    triples: int
    warnings: tuple[str, ...] = field(default_factory=tuple)


def reviews_graph(base: str) -> str:
    """The named graph review decisions are recorded in, under the public base."""
    return f"{base}graph/reviews"


def _slug(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9.-]", "-", text.strip().lower())).strip("-.")


@dataclass(frozen=True)
class _Side:
    iri: str
    cls: str
    sector: str
    scheme: str
    label: str


def _side(store: EmbeddedStore, iri: str, name: str) -> _Side:
    if not iri.startswith(("http://", "https://")):
        raise DecisionInvalid(f"{name}: {iri!r} is not an IRI")
    try:
        rows = store.select(sparql.load("candidates-review-item"), {"item": ox.NamedNode(iri)})
    except ValueError as exc:
        raise DecisionInvalid(f"{name}: {iri!r} is not a valid IRI ({exc})") from exc
    if not rows:
        raise DecisionInvalid(
            f"{name}: {iri} is not a Question, study group, Resolution or theme of the graph"
        )
    rows.sort(key=lambda r: _value(r["type"]))
    cls = min((ITEM_CLASS[_value(r["type"])] for r in rows), key=lambda c: c != "question")
    first = rows[0]
    return _Side(
        iri,
        cls,
        _value(first["sector"]) if "sector" in first else "",
        _value(first["scheme"]) if "scheme" in first else "",
        _value(first["label"]) if "label" in first else iri,
    )


def _already_decided(view: Any, left: str, right: str, graph: str) -> str | None:
    """The register entry already deciding the pair, looked up by its items (either way round)."""
    g, subject, obj = ox.NamedNode(graph), ox.NamedNode(str(ISCG.subject)), ox.NamedNode(str(ISCG.object))
    for one, other in ((left, right), (right, left)):
        for quad in view.quads_for_pattern(None, subject, ox.NamedNode(one), g):
            if next(iter(view.quads_for_pattern(quad.subject, obj, ox.NamedNode(other), g)), None):
                return _value(quad.subject)
    return None


def decision_graph(
    decision: Decision, mapping: str, left: _Side, right: _Side, *, agent_exists: bool, today: Date,
    base: str,
) -> Graph:
    """The register entry (and, if new, the reviewer agent, under ``base``) as an rdflib Graph."""
    d = decision
    kind, predicate = RELATIONS[d.relation or "overlap"]
    status = "Accepted" if d.decision == "accept" else "Rejected"
    g = Graph()
    m = URIRef(mapping)
    agent = URIRef(f"{base}id/agent/{_slug(d.reviewer)}")
    g.add((m, RDF.type, ISCG.Mapping if left.cls != "theme" else ISCG.Link))
    g.add((m, ISCG.subject, URIRef(left.iri)))
    g.add((m, ISCG.object, URIRef(right.iri)))
    g.add((m, ISCG.relationKind, ISCG[kind]))
    g.add((m, ISCG.predicate, predicate))
    if status == "Rejected":
        g.add((m, SSSOM.predicate_modifier, Literal("Not")))
    g.add((m, ISCG.status, ISCG[status]))
    g.add((m, SSSOM.mapping_justification, SEMAPV.ManualMappingCuration))
    g.add((m, PROV.wasAttributedTo, agent))
    g.add((m, DCTERMS.date, Literal((d.on or today).isoformat(), datatype=XSD.date)))
    g.add((m, DCTERMS.source, URIRef(reviews_graph(base))))
    g.add((m, ISCG.confidence, ISCG.Confirmed))
    verb = f"{kind} of" if status == "Accepted" else f"not {kind} of"
    g.add(
        (
            m,
            RDFS.label,
            Literal(f"{mapping.rsplit('/', 1)[-1]}: {left.label} — {verb} — {right.label}", lang="en"),
        )
    )
    if d.comment:
        g.add((m, RDFS.comment, Literal(d.comment, lang="en")))
    if not agent_exists:
        g.add((agent, RDF.type, PROV.Agent))
        g.add((agent, RDF.type, FOAF.Agent))
        g.add((agent, RDFS.label, Literal(d.reviewer, lang="en")))
    return g


class DecisionWrite:
    """A checked decision as the change that records it: ``write(work)`` (what the write path applies,
    `iscg_graph.curation.writes.WritePath.apply`) mints the register number in ``work`` (the dataset
    the write computes on, `review_register`), checks the pair again there and adds the record;
    ``outcome`` is then the last such write's. Made by `prepare_decision`."""

    def __init__(self, decision: Decision, left: _Side, right: _Side, base: str, today: Date,
                 store: EmbeddedStore | None = None):
        self.decision, self.left, self.right, self.base, self.today = decision, left, right, base, today
        self.store = store  # the store checked: its register read once (`review_register.read_as`)
        self.outcome: ReviewOutcome | None = None

    def quads(self, view: Any) -> tuple[list[ox.Quad], list[ox.Quad], ReviewOutcome, Graph]:
        """What the decision removes (the counter it replaces) and adds in ``view``, its outcome and
        the record as an rdflib graph; `DecisionConflict` if ``view`` holds a decision on the pair."""
        d, graph_iri = self.decision, reviews_graph(self.base)
        previous = _already_decided(view, self.left.iri, self.right.iri, graph_iri)
        if previous:
            raise DecisionConflict(f"this pair was already decided: {previous}")
        agent = ox.NamedNode(f"{self.base}id/agent/{_slug(d.reviewer)}")
        exists = next(iter(view.quads_for_pattern(agent, _RDF_TYPE, _PROV_AGENT, None)), None) is not None
        number, counters = next_number(view, self.base, graph_iri, read_as(view, self.store, self.base))
        mapping = mapping_iri(self.base, number)
        graph = decision_graph(d, mapping, self.left, self.right, agent_exists=exists, today=self.today,
                               base=self.base)
        target = ox.NamedNode(graph_iri)
        record = [ox.Quad(q.subject, q.predicate, q.object, target)
                  for q in ox.parse(graph.serialize(format="nt").encode("utf-8"), ox.RdfFormat.N_TRIPLES)]
        status = "Accepted" if d.decision == "accept" else "Rejected"
        outcome = ReviewOutcome(mapping, status, d.relation or "overlap", len(record))
        return counters, [*record, counter_quad(graph_iri, number)], outcome, graph

    def __call__(self, work: Any) -> None:
        removed, added, outcome, _ = self.quads(work)
        for quad in removed:
            work.remove(quad)
        work.extend(added)
        self.outcome = outcome


def prepare_decision(store: EmbeddedStore, decision: Decision, *, base: str,
                     today: Date | None = None) -> DecisionWrite:
    """Check one decision on ``store`` (the items, the pair, no earlier decision on it): raise
    `DecisionInvalid` / `DecisionConflict`, or give the change that records it. The shapes are the
    write path's to check (its one validation of the dataset-after, `record_decision` without one)."""
    d = decision.normalised()
    left, right = _side(store, d.left, "left"), _side(store, d.right, "right")
    if frozenset({left.cls, right.cls}) not in _PAIRS:
        raise DecisionInvalid(f"a {left.cls} and a {right.cls} are never proposed as a pair")
    if left.cls == "theme" and left.scheme == right.scheme:
        raise DecisionInvalid("both themes are in the same Annex list; candidates join different lists")
    previous = _already_decided(store.inner, left.iri, right.iri, reviews_graph(base))
    if previous:
        raise DecisionConflict(f"this pair was already decided: {previous}")
    return DecisionWrite(d, left, right, base, today or Date.today(), store)


def shapes_refusal(problems: tuple[str, ...]) -> DecisionInvalid:
    """The 422 of a decision the shapes refuse, naming each violation (focus node: message)."""
    problems = problems or ("the record does not conform",)
    return DecisionInvalid("the decision does not conform to the shapes: " + "; ".join(problems), problems)


def record_decision(
    store: EmbeddedStore,
    decision: Decision,
    *,
    base: str,
    today: Date | None = None,
    validate: Callable[[Graph], object] | None = None,
) -> ReviewOutcome:
    """Validate one decision and add it to ``graph/reviews`` of a store no write path serves (the
    CLI); raise before writing anything if invalid. The service records decisions through its write
    path instead (`prepare_decision`), whose validation of the dataset-after is the only one.

    ``base`` is the public base IRI the register entry and the reviewer agent are minted under."""
    write = prepare_decision(store, decision, base=base, today=today)
    removed, added, outcome, graph = write.quads(store.inner)
    context = Graph()
    context += graph
    for side in (write.left, write.right):
        if side.sector:
            context.add((URIRef(side.iri), ISCG.sector, URIRef(side.sector)))
    if validate is None:
        from ..rdf.validation import validate as shacl

        validate = shacl
    report = validate(context)
    if not getattr(report, "conforms", False):
        raise shapes_refusal(tuple(f"{r.focus_node}: {r.message}" for r in getattr(report, "violations", ())))
    warnings = tuple(f"{r.focus_node}: {r.message}" for r in getattr(report, "warnings", ()))

    def block(quads: list[ox.Quad]) -> str:
        return "\n".join(f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}" for q in quads)

    text = f"INSERT DATA {{\n{block(added)}\n}}"
    if removed:
        text = f"DELETE DATA {{\n{block(removed)}\n}} ;\n" + text
    store.apply_update(text)  # one transaction: the record and its number
    return replace(outcome, warnings=warnings)


def carry_over_reviews(old_store_dir: Path, new_store: EmbeddedStore, *, base: str) -> int:
    """Copy ``graph/reviews`` from a previous build into a new store; the number of triples copied.

    Review decisions live only in the store (they are not source tables), so a rebuild must bring
    them along: `iscg build` calls this on the store it replaces, before the candidates are computed.
    """
    snapshot = Path(old_store_dir) / "snapshot.nq"
    if not snapshot.is_file():
        return 0
    old = EmbeddedStore.open_snapshot(old_store_dir)
    graph = reviews_graph(base)
    quads = list(old.quads(graph=ox.NamedNode(graph)))
    if not quads:
        return 0
    lines = sorted(f"{q.subject} {q.predicate} {q.object} ." for q in quads)
    new_store.add_to_graph(graph, ("\n".join(lines) + "\n").encode("utf-8"))
    return len(lines)
