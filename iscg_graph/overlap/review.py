"""Review decisions on candidate overlaps -> validated mapping records in ``graph/reviews``.

A decision (accept with a relation kind, or reject; reviewer; comment) becomes one register entry
``id/mapping/R0001`` … (ids never reused): an ``iscg:Mapping`` between items of two Union parts, or an
``iscg:Link`` between two themes (themes have no Sector), with status ``iscg:Accepted`` /
``iscg:Rejected``, ``prov:wasAttributedTo`` the reviewer (``id/agent/<slug>``), ``dct:date``,
``rdfs:comment`` and ``sssom:mapping_justification semapv:ManualMappingCuration``. A rejection
keeps the proposed predicate with ``sssom:predicate_modifier "Not"`` (SSSOM's negated mapping).

The record is validated by the project's SHACL shapes together with the two items' Sectors before
anything is written; a violation raises `DecisionInvalid` and the store is untouched.

    ISCGError (iscg_graph.errors, where these live)
    └── ReviewError
        ├── DecisionInvalid      the decision names unknown items, an impossible pair, or breaks a shape
        └── DecisionConflict     the pair already has a review decision
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD

from ..errors import DecisionConflict, DecisionInvalid, ReviewError  # re-exported: callers import them here
from ..query import sparql
from ..rdf.store import EmbeddedStore
from ..vocab import ONTOLOGY_NS
from .corpus import ITEM_CLASS, _value

__all__ = [
    "carry_over_reviews",
    "Decision",
    "DecisionConflict",
    "DecisionInvalid",
    "RELATIONS",
    "ReviewError",
    "ReviewOutcome",
    "decision_graph",
    "record_decision",
    "reviews_graph",
    "sssom_rows",
    "sssom_tsv",
    "SSSOM_COLUMNS",
]

# The ontology's namespace is the vocabulary's (fixed); what a review mints (the register entry,
# the reviewer agent, the reviews graph) is under the deployment's public base, given by the caller.
ISCG = Namespace(ONTOLOGY_NS)
SSSOM = Namespace("https://w3id.org/sssom/")
SEMAPV = Namespace("https://w3id.org/semapv/vocab/")

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


def _next_id(store: EmbeddedStore, base: str) -> str:
    minted = re.compile(re.escape(f"{base}id/mapping/R") + r"(\d+)$")
    used = [
        int(m.group(1))
        for row in store.select(sparql.load("candidates-review-ids"))
        if (m := minted.match(_value(row["link"])))
    ]
    return f"R{(max(used) + 1) if used else 1:04d}"


def _already_decided(store: EmbeddedStore, left: str, right: str, graph: str) -> str | None:
    for quad in store.quads(None, ox.NamedNode(str(ISCG.subject)), None, ox.NamedNode(graph)):
        link = quad.subject
        obj = next(
            iter(store.quads(link, ox.NamedNode(str(ISCG.object)), None, ox.NamedNode(graph))), None
        )
        if obj is not None and {_value(quad.object), _value(obj.object)} == {left, right}:
            return _value(link)
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


def record_decision(
    store: EmbeddedStore,
    decision: Decision,
    *,
    base: str,
    today: Date | None = None,
    validate: Callable[[Graph], object] | None = None,
) -> ReviewOutcome:
    """Validate one decision and add it to ``graph/reviews``; raise before writing anything if invalid.

    ``base`` is the public base IRI the register entry and the reviewer agent are minted under."""
    d = decision.normalised()
    left, right = _side(store, d.left, "left"), _side(store, d.right, "right")
    if frozenset({left.cls, right.cls}) not in _PAIRS:
        raise DecisionInvalid(f"a {left.cls} and a {right.cls} are never proposed as a pair")
    if left.cls == "theme" and left.scheme == right.scheme:
        raise DecisionInvalid("both themes are in the same Annex list; candidates join different lists")
    graph_iri = reviews_graph(base)
    previous = _already_decided(store, left.iri, right.iri, graph_iri)
    if previous:
        raise DecisionConflict(f"this pair was already decided: {previous}")
    agent = f"{base}id/agent/{_slug(d.reviewer)}"
    exists = bool(store.select(sparql.load("candidates-review-agent"), {"agent": ox.NamedNode(agent)}))
    mapping = f"{base}id/mapping/{_next_id(store, base)}"
    graph = decision_graph(d, mapping, left, right, agent_exists=exists, today=today or Date.today(),
                           base=base)

    context = Graph()
    context += graph
    for side in (left, right):
        if side.sector:
            context.add((URIRef(side.iri), ISCG.sector, URIRef(side.sector)))
    if validate is None:
        from ..rdf.validation import validate as shacl

        validate = shacl
    report = validate(context)
    violations = tuple(getattr(report, "violations", ()))
    if not getattr(report, "conforms", False):
        problems = tuple(f"{r.focus_node}: {r.message}" for r in violations) or (
            "the record does not conform",
        )
        raise DecisionInvalid("the decision does not conform to the shapes: " + "; ".join(problems), problems)
    warnings = tuple(f"{r.focus_node}: {r.message}" for r in getattr(report, "warnings", ()))

    lines = sorted(line for line in graph.serialize(format="nt").splitlines() if line.strip())
    store.add_to_graph(graph_iri, ("\n".join(lines) + "\n").encode("utf-8"))
    status = "Accepted" if d.decision == "accept" else "Rejected"
    return ReviewOutcome(mapping, status, d.relation or "overlap", len(lines), warnings)


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


# -- SSSOM export --------------------------------------------------------------------------------

def curies(base: str) -> dict[str, str]:
    """The SSSOM curie map: the vocabulary's namespaces and the public base's ``id/``."""
    return {
        "iscg": ONTOLOGY_NS,
        "iscgid": base + "id/",
        "skos": str(SKOS),
        "semapv": str(SEMAPV),
        "sssom": str(SSSOM),
    }


SSSOM_COLUMNS = (
    "record_id",
    "subject_id",
    "subject_label",
    "predicate_id",
    "predicate_modifier",
    "object_id",
    "object_label",
    "mapping_justification",
    "author_id",
    "mapping_date",
    "comment",
    "see_also",
    "other",
)


def _curie(iri: str, table: dict[str, str]) -> str:
    for prefix, ns in sorted(table.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _cell(text: str) -> str:
    return " ".join(text.split())  # no tabs or newlines inside a TSV cell


def sssom_rows(store: EmbeddedStore, *, base: str, mappings_only: bool = False) -> list[dict[str, str]]:
    """One SSSOM record per recorded link / mapping (reviews included), sorted by record id."""
    table = curies(base)

    def _c(iri: str) -> str:
        return _curie(iri, table)

    records: dict[str, dict[str, str]] = {}
    sources: dict[str, list[str]] = {}
    for row in store.select(sparql.load("mappings-register")):
        link = _value(row["link"])
        if mappings_only and _value(row["mapping"]) != "true":
            continue
        sources.setdefault(link, [])
        if "source" in row and _value(row["source"]) not in sources[link]:
            sources[link].append(_value(row["source"]))
        if link in records:
            continue

        def val(name: str, row: dict[str, object] = row) -> str:  # type: ignore[assignment]
            return _value(row.get(name))

        other = [
            f"iscg_status={val('status').rsplit('#', 1)[-1]}",
            f"relation_kind={val('kind').rsplit('#', 1)[-1]}",
            f"confidence={val('confidence').rsplit('#', 1)[-1]}",
            f"graph={val('g')}",
        ]
        records[link] = {
            "record_id": _c(link),
            "subject_id": _c(val("s")),
            "subject_label": _cell(val("sLabel")),
            "predicate_id": _c(val("predicate")) if val("predicate") else "skos:relatedMatch",
            "predicate_modifier": val("modifier"),
            "object_id": _c(val("o")),
            "object_label": _cell(val("oLabel")),
            "mapping_justification": _c(val("justification"))
            if val("justification")
            else "semapv:UnspecifiedMatching",
            "author_id": _c(val("agent")),
            "mapping_date": val("date"),
            "comment": _cell(val("comment")),
            "other": "|".join(other),
        }
    for link, rec in records.items():
        rec["see_also"] = "|".join(sources[link])
    return [records[k] for k in sorted(records)]


def sssom_tsv(store: EmbeddedStore, *, base: str, mappings_only: bool = False) -> str:
    """The register as SSSOM TSV: a commented YAML metadata block, then one row per record."""
    rows = sssom_rows(store, base=base, mappings_only=mappings_only)
    head = [
        "#mapping_set_id: " + base + "graph/mappings.sssom.tsv",
        "#license: https://www.apache.org/licenses/LICENSE-2.0",
        "#mapping_set_description: ISCG register of cross-Sector links and mappings, with review decisions",
        "#curie_map:",
    ]
    head += [f"#  {p}: {ns}" for p, ns in sorted(curies(base).items())]
    lines = ["\t".join(SSSOM_COLUMNS)]
    lines += ["\t".join(r.get(c, "") for c in SSSOM_COLUMNS) for r in rows]
    return "\n".join(head + lines) + "\n"
