"""The evidence of each derived Question pair: what the duplicate-candidate query lists for it.

`derived_pairs` finds the pairs of Questions that can reach the duplicate-candidate threshold; each
has a node ``<{base}derived/question-pair/<digest>>``. The query used to count their evidence live
(three evidence branches, a group per pair and a GROUP_CONCAT whose order was the engine's): 1 s at
a million triples, no answer in 30 s at ten million, and Virtuoso 7 could not run it. Now the
node also says what the query shows of the pair, computed here::

    <pair> dv:points 5 ; dv:score 0.5 ; dv:mappings 1 ; dv:sharedResolutions 1 ; dv:sharedThemes 0 ;
        dv:evidence "recorded as … | both follow …" .

exactly as the query counted it: the DISTINCT evidence rows (kind, weight, text) of the pair,

* **mapping** (3 points): each node typed ``iscg:Mapping`` whose ``iscg:subject`` and
  ``iscg:object`` are the two Questions (either way round), not ``iscg:status iscg:Rejected``, not
  ``owl:deprecated true``; its text ``recorded as <kind>[ by <agent>][, <status>][, <confidence>]``
  from the English ``rdfs:label`` of its ``iscg:relationKind`` (else "related"),
  ``prov:wasAttributedTo``, ``iscg:status`` and ``iscg:confidence``, one row per combination of
  those labels;
* **resolution** (2): each Resolution both relate to (``iscg:relatedResolution``), one row per
  English ``rdfs:label``: ``both follow <label>``;
* **theme** (1): each theme both address, one row per English ``skos:prefLabel``:
  ``both address the theme <label>``;

the points their sum, the score a tenth of them (at most 1; stored, not computed by the query:
Virtuoso divides two integers as integers and fails on a decimal division in a sorted column), one
count per kind, and the texts joined by " | " in a fixed order (mappings, Resolutions, themes; each
in code-point order), so every engine shows the same cell. A pair with no
evidence row gets none of these statements (the query does not list it). The query still reads the
pair's Sectors, study periods and labels live (a Question has exactly one Sector and one study
period, `shapes/core.shapes.ttl`, so one row per pair).

Two readers give the same statements: `evidence_triples` over every statement of the dataset (the
build, a full recompute) and `pair_evidence` over index lookups (`derived_links`, after a curated
write; `derived_delta.READS` says which writes reach which pairs).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import product

import pyoxigraph as ox

from .derived_reads import LABELLED_BY, PROV_ATTRIBUTED
from .derived_source import (
    DV,
    ISCG,
    OWL_DEPRECATED,
    RDF_TYPE,
    RDFS_LABEL,
    SKOS,
    XSD_BOOLEAN,
    XSD_INTEGER,
    Lit,
    Node,
    Source,
)

__all__ = ["EVIDENCE_TERMS", "Evidence", "View", "evidence_triples", "pair_evidence", "store_view"]

XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
RELATION_KIND, STATUS, CONFIDENCE = ISCG + "relationKind", ISCG + "status", ISCG + "confidence"
SUBJECT, OBJECT = ISCG + "subject", ISCG + "object"
ADDRESSES, RELATED = ISCG + "addressesTheme", ISCG + "relatedResolution"
DV_POINTS, DV_MAPPINGS, DV_SCORE = DV + "points", DV + "mappings", DV + "score"
DV_RESOLUTIONS, DV_THEMES, DV_EVIDENCE = DV + "sharedResolutions", DV + "sharedThemes", DV + "evidence"
EVIDENCE_TERMS = frozenset({DV_POINTS, DV_SCORE, DV_MAPPINGS, DV_RESOLUTIONS, DV_THEMES, DV_EVIDENCE})
"""The derived properties of a pair's evidence."""
SEPARATOR = " | "
_WEIGHT = {"mapping": 3, "resolution": 2, "theme": 1}
_TRUE = Lit("true", None, XSD_BOOLEAN)


class View:
    """What the evidence reads of a dataset: the objects of (subject, predicate) and the subjects of
    (predicate, object), IRIs as strings, literals as `Lit`, every graph but the derived one."""

    def __init__(self, objects: Callable[[str, str], set[Node]], subjects: Callable[[str, str], set[str]]):
        self.objects, self.subjects = objects, subjects

    def english(self, node: str, predicate: str) -> set[str]:
        return {o.value for o in self.objects(node, predicate) if isinstance(o, Lit) and o.lang == "en"}

    def iris(self, node: str, predicate: str) -> set[str]:
        return {o for o in self.objects(node, predicate) if isinstance(o, str)}


@dataclass(frozen=True)
class Evidence:
    points: int
    mappings: int
    resolutions: int
    themes: int
    text: str

    @property
    def score(self) -> str:
        """The points on the candidates' scale, 0 to 1: a tenth of them, at most 1 (canonical
        ``xsd:decimal``, as the store writes it: "0.3", "1")."""
        return "1" if self.points >= 10 else f"0.{self.points}"

    def triples(self, node: str) -> list[tuple[str, str, Node]]:
        def count(n: int) -> Lit:
            return Lit(str(n), None, XSD_INTEGER)

        return [(node, DV_POINTS, count(self.points)), (node, DV_SCORE, Lit(self.score, None, XSD_DECIMAL)),
                (node, DV_MAPPINGS, count(self.mappings)),
                (node, DV_RESOLUTIONS, count(self.resolutions)), (node, DV_THEMES, count(self.themes)),
                (node, DV_EVIDENCE, Lit(self.text))]


def _mapping_texts(view: View, mapping: str) -> set[str]:
    """The evidence texts of one live mapping (one per combination of its English labels)."""
    def labels(predicate: str) -> list[str | None]:
        found = sorted({label for o in view.iris(mapping, predicate)
                        for label in view.english(o, RDFS_LABEL)})
        return [*found] if found else [None]

    out = set()
    for kind, by, status, confidence in product(*(labels(p) for p in LABELLED_BY)):
        out.add("recorded as " + (kind if kind is not None else "related")
                + (f" by {by}" if by is not None else "")
                + (f", {status}" if status is not None else "")
                + (f", {confidence}" if confidence is not None else ""))
    return out


def _live_mapping(view: View, node: str) -> bool:
    return (ISCG + "Mapping" in view.iris(node, RDF_TYPE)
            and ISCG + "Rejected" not in view.iris(node, STATUS)
            and _TRUE not in view.objects(node, OWL_DEPRECATED))


def pair_evidence(view: View, a: str, b: str) -> Evidence | None:
    """The evidence of the Questions ``a`` and ``b`` (None: no evidence row)."""
    rows: set[tuple[str, str]] = set()
    for first, second in ((a, b), (b, a)):
        for node in view.subjects(SUBJECT, first) & view.subjects(OBJECT, second):
            if _live_mapping(view, node):
                rows |= {("mapping", text) for text in _mapping_texts(view, node)}
    for res in view.iris(a, RELATED) & view.iris(b, RELATED):
        rows |= {("resolution", "both follow " + label) for label in view.english(res, RDFS_LABEL)}
    for theme in view.iris(a, ADDRESSES) & view.iris(b, ADDRESSES):
        rows |= {("theme", "both address the theme " + label)
                 for label in view.english(theme, SKOS + "prefLabel")}
    if not rows:
        return None
    ordered = sorted(rows, key=lambda r: (-_WEIGHT[r[0]], r[1]))
    counts = {kind: sum(1 for k, _ in rows if k == kind) for kind in _WEIGHT}
    return Evidence(sum(_WEIGHT[k] for k, _ in rows), counts["mapping"], counts["resolution"],
                    counts["theme"], SEPARATOR.join(text for _, text in ordered))


def _source_view(source: Source) -> View:
    """A `View` over every statement of the predicates the evidence reads, each read once."""
    read = (ADDRESSES, RELATED, SUBJECT, OBJECT, RDF_TYPE, STATUS, OWL_DEPRECATED, RDFS_LABEL,
            SKOS + "prefLabel", RELATION_KIND, PROV_ATTRIBUTED, CONFIDENCE)
    forward: dict[str, dict[str, set[Node]]] = {}
    inverse: dict[str, dict[str, set[str]]] = {}
    for predicate in read:
        out: dict[str, set[Node]] = defaultdict(set)
        back: dict[str, set[str]] = defaultdict(set)
        for s, o in source(predicate):
            out[s].add(o)
            if predicate in (SUBJECT, OBJECT) and isinstance(o, str):
                back[o].add(s)
        forward[predicate], inverse[predicate] = out, back
    return View(lambda s, p: forward[p].get(s, set()), lambda p, o: inverse[p].get(o, set()))


def evidence_triples(source: Source, pairs: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, Node]]:
    """The evidence statements of every pair: (node, first, second) of the derived pairs."""
    view = _source_view(source)
    out: list[tuple[str, str, Node]] = []
    for node, a, b in pairs:
        found = pair_evidence(view, a, b)
        if found is not None:
            out.extend(found.triples(node))
    return out


def _ox_node(term: object) -> Node | None:
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal):
        return Lit(term.value, term.language, term.datatype.value)
    return None


def store_view(store: ox.Store, derived: ox.NamedNode) -> View:
    """A `View` of index lookups in ``store``, every graph but ``derived``."""
    def objects(s: str, p: str) -> set[Node]:
        return {n for q in store.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(p), None)
                if q.graph_name != derived and (n := _ox_node(q.object)) is not None}

    def subjects(p: str, o: str) -> set[str]:
        return {q.subject.value for q in store.quads_for_pattern(None, ox.NamedNode(p), ox.NamedNode(o))
                if q.graph_name != derived and isinstance(q.subject, ox.NamedNode)}

    return View(objects, subjects)
