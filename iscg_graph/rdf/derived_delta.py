"""The derived graph after a curated write, without recomputing it when the write cannot change it.

`iscg_graph.rdf.derived` recomputes the derived graph from every quad of the store: 3 minutes at a
million triples, which every curated write paid. Most writes (a comment, a label, a new property)
touch nothing it reads, and a review decision touches only its own link node. The reach is
declared once, per predicate, in `derived_reads.READS` (re-exported here): the statement readers of
the families (`derived_facts.Facts` and `derived_source.store_source` / ``dataset_source``)
refuse a predicate missing from it, so a new family that reads a new predicate fails until it says
there when a change to that predicate matters.

For each changed quad (the write's and its RDFS closure's, outside the derived graph) the rule of
its predicate says what it can change, looking at the dataset after the write for the context it
needs (e.g. a ``skos:notation`` matters only on a scheme, a study period, a Sector, a mandating
Resolution or a part of the Union): nothing; the derived statements of its subject, a link or
mapping node (`LINK`: recomputed by `derived_links`); those an item's theme link or retirement
(`ITEM`), an exact or close match (`MATCH`), a mapping between two items on themes (`COVER`), a
label, a notation, a list membership, an item's Sector, period, group or type (`derived_labels`)
can reach, recomputed from index lookups by `derived_scope`; or anything (`ALL`: `rederive` returns
None and the caller recomputes everything, `derived.materialise_store`). A rule may look only at
context whose own changes are `ALL` (``rdfs:subClassOf``, a Sector's notation, …) or reach at least
what the rule would (the rules of mapping ends and rejections look at the ends' theme links, whose
own change puts those themes in the scope), so a write that changes both is caught by the context
change.

The known terms (``dv:knownTerm``) depend on every predicate and class; they are kept current from
the changed quads alone: a term the write adds is known, a term it removes stays known if some
quad still uses it (looked up in the indexes, not scanned).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from . import derived_labels as labels
from .derived import DERIVED_NS, DV_KNOWN_TERM, terms_subject
from .derived_reads import (
    ALL,
    COVER,
    ISCG,
    ITEM,
    LABELLED,
    LABELLED_BY,
    LINK,
    MATCH,
    NAMED,
    NOTHING,
    RDF_TYPE,
    READS,
    SKOS,
    THEME,
    Rule,
    exists,
)
from .derived_scope import scoped_change
from .derived_touched import Scope
from .known_terms import ONTOLOGY_SUFFIX, SCHEMA_LINKS, Quad, is_live, terms_of

__all__ = ["ALL", "COVER", "ITEM", "LINK", "MATCH", "NOTHING", "READS", "THEME", "Change", "Rule", "Scope",
           "reach", "rederive"]

Change = tuple[tuple[ox.Quad, ...], tuple[ox.Quad, ...]]
"""(removed, added) quads of a write (and of its RDFS closure)."""

# the gate's and the known-term statements' own properties: always known (`derived._with_terms`)
ALWAYS_KNOWN = frozenset(DERIVED_NS + name
                         for name in ("upToScore", "openAt", "themeBy", "sectorBy", "knownTerm"))


def _themes(store: ox.Store, node: object) -> set[ox.NamedNode]:
    return {q.object for q in store.quads_for_pattern(node, ox.NamedNode(ISCG + "addressesTheme"), None)  # type: ignore[arg-type]
            if isinstance(q.object, ox.NamedNode)} if isinstance(node, ox.NamedNode) else set()


def _ends(store: ox.Store, node: ox.NamedNode) -> set[ox.NamedNode]:
    return {q.object for end in ("subject", "object")
            for q in store.quads_for_pattern(node, ox.NamedNode(ISCG + end), None)
            if isinstance(q.object, ox.NamedNode)}


_ENDS = (ISCG + "subject", ISCG + "object")


def reach(change: Change, store: ox.Store) -> Scope | None:
    """What ``change`` can change of the derived graph of ``store`` (the dataset after), apart from
    the known terms: None if it cannot be bounded (recompute it all), else the items, themes, matched
    nodes and link or mapping nodes whose derived statements may change (`derived_scope`), often
    none."""
    scope = Scope()
    for quad in (*change[0], *change[1]):
        rule = READS.get(quad.predicate.value)
        found = rule(quad, store) if rule is not None else NOTHING
        if found == ALL:
            return None
        subject = quad.subject
        if found == NOTHING or not isinstance(subject, ox.NamedNode):
            continue
        if found in labels.KINDS:  # labels, notations, an item's Sector, period or group
            labels.widen(found, quad, store, scope)
        elif found == LINK:
            scope.links.add(subject)
        elif found == COVER:  # the mapping's ends (and an end taken off) and their themes
            scope.links.add(subject)
            scope.covers.add(subject)
            for end in _ends(store, subject) | ({quad.object} if quad.predicate.value in _ENDS else set()):
                scope.cover_themes |= _themes(store, end)
        elif found == NAMED:  # a theme's name: its aggregates and the pairs of the items on it
            scope.themes.add(subject)
            for q in store.quads_for_pattern(None, ox.NamedNode(ISCG + "addressesTheme"), subject):
                if isinstance(q.subject, ox.NamedNode):
                    scope.item(q.subject)
        elif found == LABELLED:
            scope.links |= {q.subject for p in LABELLED_BY
                            for q in store.quads_for_pattern(None, ox.NamedNode(p), subject)
                            if isinstance(q.subject, ox.NamedNode)}
            for q in store.quads_for_pattern(None, ox.NamedNode(ISCG + "relatedResolution"), subject):
                if isinstance(q.subject, ox.NamedNode):
                    scope.item(q.subject)
        elif found == ITEM:
            if _ends(store, subject):  # a retired mapping: the evidence of the pairs it joins
                scope.links.add(subject)
            changed = {quad.object} if quad.predicate.value == ISCG + "addressesTheme" else set()
            scope.item(subject, *(t for t in changed if isinstance(t, ox.NamedNode)))
            if quad.predicate.value == ISCG + "relatedResolution":
                continue  # read by the Question pairs and dv:withoutResolution only
            scope.themes |= _themes(store, subject) | {t for t in changed if isinstance(t, ox.NamedNode)}
            for end in _ends(store, subject):  # a retired mapping: the coverage rows of its ends
                scope.themes |= _themes(store, end)
        elif found == THEME:
            scope.themes.add(subject)
        elif found == MATCH and isinstance(quad.object, ox.NamedNode):
            scope.matched |= {subject, quad.object}
            if quad.predicate.value == SKOS + "exactMatch":
                scope.themes |= {subject, quad.object}
    return scope


def _iri(term: object) -> str | None:
    return term.value if isinstance(term, ox.NamedNode) else None


def _counted(quads: Iterable[ox.Quad], derived: ox.NamedNode) -> list[Quad]:
    """The quads the known terms are computed from (not the derived graph, not the live graphs)."""
    out: list[Quad] = []
    for q in quads:
        graph = _iri(q.graph_name)
        if q.graph_name == derived or (graph is not None and is_live(graph)):
            continue
        out.append((_iri(q.subject), q.predicate.value, _iri(q.object), graph))
    return out


def _used(store: ox.Store, term: str, derived: ox.NamedNode) -> bool:
    """Whether a quad of ``store`` makes ``term`` known (`known_terms.terms_of`), the derived graph's
    own predicates and classes included (the write leaves them as they are)."""
    if term in ALWAYS_KNOWN:
        return True
    node = ox.NamedNode(term)

    def counted(quads: Iterable[ox.Quad], *, own: bool = False) -> bool:
        for q in quads:
            graph = _iri(q.graph_name)
            if q.graph_name == derived:
                if own and q.predicate.value != DV_KNOWN_TERM:
                    return True
                continue
            if graph is None or not is_live(graph):
                return True
        return False

    if counted(store.quads_for_pattern(None, node, None), own=True):
        return True
    if counted(store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), node), own=True):
        return True
    ontologies = [g for g in store.named_graphs()
                  if isinstance(g, ox.NamedNode) and g.value.endswith(ONTOLOGY_SUFFIX)]
    for graph in ontologies:
        if exists(store, node, None, None, graph):
            return True
        if any(exists(store, None, ox.NamedNode(link), node, graph) for link in SCHEMA_LINKS):
            return True
    return False


def _known_terms(store: ox.Store, change: Change, graph: ox.NamedNode, derived: Iterable[str]) -> Change:
    """The ``dv:knownTerm`` statements to remove and add for ``change`` (store: the dataset after)."""
    subject = ox.NamedNode(terms_subject(graph.value))
    predicate = ox.NamedNode(DV_KNOWN_TERM)
    touched = terms_of(_counted([*change[0], *change[1]], graph)) | set(derived)
    removed, added = [], []
    for term in sorted(touched):
        quad = ox.Quad(subject, predicate, ox.NamedNode(term), graph)
        known = quad in store
        if _used(store, term, graph):
            if not known:
                added.append(quad)
        elif known:
            removed.append(quad)
    return tuple(removed), tuple(added)


def rederive(store: ox.Store, graph_iri: str, change: Change) -> Change | None:
    """Bring the derived graph ``graph_iri`` of ``store`` (the dataset after ``change``, derived
    graph still as before it) up to date in place when the write cannot change its pairs or
    aggregates; the derived quads removed and added, or None when it can (recompute it all)."""
    graph = ox.NamedNode(graph_iri)
    if any(q.graph_name == graph for q in (*change[0], *change[1])):
        return None  # the write itself touched the derived graph: recompute it
    scope = reach(change, store)
    if scope is None:
        return None
    gone, new = scoped_change(store, graph, scope, change)
    for quad in gone:
        store.remove(quad)
    store.extend(new)
    touched = (*gone, *new)  # their properties and classes: their known-term statements may change
    terms = {q.predicate.value for q in touched} | {q.object.value for q in touched
                                                   if q.predicate.value == RDF_TYPE
                                                   and isinstance(q.object, ox.NamedNode)}
    removed, added = _known_terms(store, change, graph, terms)
    for quad in removed:
        store.remove(quad)
    store.extend(added)
    return (*gone, *removed), (*new, *added)


