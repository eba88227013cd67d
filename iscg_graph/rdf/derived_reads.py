"""What the derived graph reads, and when a change to each of those predicates matters: `READS`.

`iscg_graph.rdf.derived_delta` bounds the derived graph's update after a curated write by what the
write can reach; the reach is declared here, once, per predicate. The statement readers of the
derived families (`derived_facts.Facts`, `derived_source.store_source` / ``dataset_source``)
call `declared` for every predicate they read, so a family that reads a new predicate fails until
its rule is added here. This module depends on no other derived module but `derived_labels` (the
rules of labels, notations, lists, an item's place and types, which imports none): the readers and
the write path both import it (docs/notes/layout.md).

A rule says, for one changed quad (the store: the dataset after the write), what it can change:
`NOTHING`; the derived statements of its subject, a link or mapping node (`LINK`); those an item's
theme links or retirement (`ITEM`), an exact or close match (`MATCH`), a mapping between two items
on themes (`COVER`), a body covering a theme (`THEME`) or a label, notation, list membership, an
item's Sector, period, group or type (`derived_labels.KINDS`) can reach; or anything (`ALL`). A rule
may look only at context whose own changes are `ALL` or reach at least what the rule would
(`derived_delta`'s docstring says why).
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox

from . import derived_labels as labels

__all__ = ["ALL", "COVER", "ITEM", "LABELLED", "LABELLED_BY", "LINK", "MATCH", "NAMED", "NOTHING",
           "PROV_ATTRIBUTED", "READS", "THEME", "Rule", "declared", "exists"]

ISCG = "https://w3id.org/iscg/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
OWL_DEPRECATED = "http://www.w3.org/2002/07/owl#deprecated"
PROV_ATTRIBUTED = "http://www.w3.org/ns/prov#wasAttributedTo"
LABELLED_BY = (ISCG + "relationKind", PROV_ATTRIBUTED, ISCG + "status", ISCG + "confidence")
"""A mapping's properties whose objects' English labels are in the Question pairs' evidence text
(`derived_evidence`)."""

Rule = Callable[[ox.Quad, ox.Store], str]
"""What this changed quad can change (the store: the dataset after): `NOTHING`; the derived
statements of its subject, a link or mapping node (`LINK`: `derived_links`); those of its subject,
an item whose theme links, Resolutions or retirement changed (`ITEM`), of the ends of a match
(`MATCH`: exact or close), of the themes of a mapping's ends (`COVER`: the coverage rows' "linked"
flag), of its subject, a theme (`THEME`), all bounded by `derived_scope`; or anything (`ALL`)."""

NOTHING, LINK, ALL, ITEM, MATCH, COVER, THEME = "", "link", "all", "item", "match", "cover", "theme"
LABELLED = "labelled"
"""A label in the evidence of the Question pairs (`derived_evidence`): of a Resolution two Questions
relate to, of a mapping's kind, agent, status or confidence: the pairs of those Questions and
mappings."""
NAMED = "named"
"""A ``skos:prefLabel`` of something items address: the theme's aggregates (`THEME`) and the pairs'
evidence of the items addressing it."""
CLASSES_READ = frozenset(ISCG + name for name in ("Theme", "Resolution", "Question", "StudyGroup"))
SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"


def _always(_quad: ox.Quad, _store: ox.Store) -> str:
    return ALL


def _link(quad: ox.Quad, _store: ox.Store) -> str:
    return LINK if isinstance(quad.subject, ox.NamedNode) else ALL


def _item(quad: ox.Quad, _store: ox.Store) -> str:
    """A theme link or a retirement: the item's pairs and groups, the aggregates of its themes."""
    return ITEM if isinstance(quad.subject, ox.NamedNode) else ALL


def _theme(quad: ox.Quad, _store: ox.Store) -> str:
    """A coordination body covering a theme: the coverage rows of its area."""
    return THEME if isinstance(quad.subject, ox.NamedNode) else ALL


def _match(quad: ox.Quad, _store: ox.Store) -> str:
    """An exact or close match: the dossiers of its components (and, exact, the areas)."""
    return MATCH if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode) else ALL


def _is_object_of(quad: ox.Quad, store: ox.Store, *predicates: str) -> bool:
    return any(exists(store, None, ox.NamedNode(p), quad.subject) for p in predicates)


def _evidence_label(quad: ox.Quad, store: ox.Store) -> str:
    """An ``rdfs:label``: its role in the aggregates (`derived_labels`), and when it names what a
    pair's evidence shows (`derived_evidence`), those pairs too (both roles at once: everything)."""
    found = labels.RULES[RDFS_LABEL](quad, store)
    if found == ALL or not isinstance(quad.subject, ox.NamedNode):
        return found
    if not _is_object_of(quad, store, ISCG + "relatedResolution", *LABELLED_BY):
        return found
    return LABELLED if found == NOTHING else ALL


def _evidence_name(quad: ox.Quad, store: ox.Store) -> str:
    """A ``skos:prefLabel``: a theme's aggregates (`derived_labels`) and, for what items address, the
    evidence of their pairs."""
    found = labels.RULES[SKOS + "prefLabel"](quad, store)
    if found == ALL or not isinstance(quad.subject, ox.NamedNode):
        return found
    if not _is_object_of(quad, store, ISCG + "addressesTheme"):
        return found
    return NAMED if found in (NOTHING, THEME) else ALL


def _type(quad: ox.Quad, store: ox.Store) -> str:
    """The classes tested: Theme, Resolution, Question, StudyGroup and its subclasses
    (``rdfs:subClassOf``, whose changes are always relevant: `derived_labels.TYPED`), Mapping (the
    node's own statements)."""
    if not isinstance(quad.object, ox.NamedNode):
        return NOTHING
    seen, todo = set(), [quad.object]
    while todo:
        cls = todo.pop()
        if cls.value in CLASSES_READ:  # the node's aggregates, pairs, groups (`derived_labels`)
            return labels.TYPED if isinstance(quad.subject, ox.NamedNode) else ALL
        if cls not in seen:
            seen.add(cls)
            todo.extend(q.object for q in store.quads_for_pattern(cls, ox.NamedNode(SUBCLASS_OF), None)
                        if isinstance(q.object, ox.NamedNode))
    if quad.object.value != ISCG + "Mapping":
        return NOTHING
    return COVER if _joins_themes(quad.subject, store) else _link(quad, store)


def _addresses(node: object, store: ox.Store) -> bool:
    return exists(store, node, ox.NamedNode(ISCG + "addressesTheme"), None)


def _joins_themes(mapping: object, store: ox.Store) -> bool:
    """A mapping from an item on a theme to an item on a theme: the coverage rows' "linked" flag
    (`derived_coverage`) may depend on it."""
    ends = [[q.object for q in store.quads_for_pattern(mapping, ox.NamedNode(ISCG + end), None)]  # type: ignore[arg-type]
            for end in ("subject", "object")] if isinstance(mapping, ox.NamedNode) else [[], []]
    return all(any(_addresses(e, store) for e in side) for side in ends)


def _end(quad: ox.Quad, store: ox.Store) -> str:
    """A mapping's end: its link node's statements, and the coverage rows when it joins two items on
    themes (an end taken off: when the end was on a theme)."""
    if _addresses(quad.object, store) and (quad not in store or _joins_themes(quad.subject, store)):
        return COVER if isinstance(quad.subject, ox.NamedNode) else ALL
    return _link(quad, store)


def _status(quad: ox.Quad, store: ox.Store) -> str:
    """A rejection of a mapping between two items on themes: the coverage rows' "linked" flag; any
    status: the evidence of the pairs its node joins (`derived_links`)."""
    rejected = quad.object == ox.NamedNode(ISCG + "Rejected")
    return COVER if rejected and _joins_themes(quad.subject, store) else _link(quad, store)


READS: dict[str, Rule] = {
    # derived_pairs, derived_reach (derived.py) and derived_aggregates.py
    ISCG + "addressesTheme": _item,
    RDF_TYPE: _type,
    SUBCLASS_OF: _always,
    OWL_DEPRECATED: _item,
    SKOS + "notation": labels.RULES[SKOS + "notation"],
    RDFS_LABEL: _evidence_label,
    SKOS + "exactMatch": _match,
    SKOS + "closeMatch": _match,
    SKOS + "broader": _always,
    SKOS + "prefLabel": _evidence_name,  # the areas' names
    SKOS + "inScheme": labels.RULES[SKOS + "inScheme"],
    ISCG + "pilotTheme": _always,
    ISCG + "relatedResolution": _item,  # the Question pairs and dv:withoutResolution only
    ISCG + "subject": _end,
    ISCG + "object": _end,
    ISCG + "status": _status,
    ISCG + "relationKind": _link,  # derived_evidence: a mapping's text
    ISCG + "confidence": _link,
    PROV_ATTRIBUTED: _link,
    ISCG + "coveredByBody": _theme,
    ISCG + "studyPeriod": labels.RULES[ISCG + "studyPeriod"],
    ISCG + "sector": labels.RULES[ISCG + "sector"],
    ISCG + "adoptedBy": _always,
    ISCG + "mandates": labels.RULES[ISCG + "mandates"],
    ISCG + "parentGroup": labels.RULES[ISCG + "parentGroup"],
    ISCG + "studyGroup": labels.RULES[ISCG + "studyGroup"],
    ISCG + "concernsSector": labels.RULES[ISCG + "concernsSector"],
}


def exists(store: ox.Store, s: object, p: object, o: object, graph: object = None) -> bool:
    """Whether ``store`` has a quad of this pattern (False for a term that cannot be in it)."""
    if o is not None and not isinstance(o, ox.NamedNode | ox.BlankNode | ox.Literal):
        return False
    if s is not None and not isinstance(s, ox.NamedNode | ox.BlankNode):
        return False
    return any(True for _ in store.quads_for_pattern(s, p, o, graph))  # type: ignore[arg-type]


def declared(predicate: str) -> None:
    """Refuse to read a predicate the write path does not know the reach of (`READS`)."""
    if predicate not in READS:
        raise LookupError(f"the derived graph reads <{predicate}>: declare when a change to it matters "
                          "in iscg_graph.rdf.derived_reads.READS")
