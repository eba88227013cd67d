"""Edits made by the web forms, as functions on a working copy (given to `WritePath.apply`).

- `set_title`: replace an item's English ``dct:title`` in the graph where the item is described
  (`home_graph`: a fixed rule when it is typed in several), and the title part of its English
  ``rdfs:label`` (the tables make it ``"<name>: <title>"``);
- `retire`: an item is never deleted: it keeps its IRI and statements, gets ``owl:deprecated true``
  and an editorial note saying it was retired (its page says so).
"""

from __future__ import annotations

import pyoxigraph as ox

from ..errors import WriteRefused
from .home_graph import home_graph, link_graph

__all__ = ["LINKS", "RETIRED_NOTE", "add_link", "current_title", "links", "remove_link", "retire",
           "set_source", "set_title", "sources"]

DCT_TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
DEPRECATED = ox.NamedNode("http://www.w3.org/2002/07/owl#deprecated")
NOTE = ox.NamedNode("http://www.w3.org/2004/02/skos/core#editorialNote")
RETIRED_NOTE = "Retired through the curation service: kept for reference, no longer current."


def _node(iri: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise WriteRefused(f"{iri!r} is not an IRI") from exc


def current_title(store: ox.Store, iri: str) -> str:
    """The item's English dct:title ("" if none or not an IRI)."""
    try:
        item = ox.NamedNode(iri)
    except ValueError:
        return ""
    for q in store.quads_for_pattern(item, DCT_TITLE, None, None):
        if isinstance(q.object, ox.Literal) and (q.object.language or "").lower() == "en":
            return q.object.value
    return ""


def set_title(work: ox.Store, iri: str, title: str) -> None:
    item = _node(iri)
    graph = home_graph(work, item)
    text = " ".join(title.split())
    previous = current_title(work, iri)
    for q in list(work.quads_for_pattern(item, DCT_TITLE, None, None)):
        if isinstance(q.object, ox.Literal) and (q.object.language or "").lower() == "en":
            work.remove(q)
    if text:
        work.add(ox.Quad(item, DCT_TITLE, ox.Literal(text, language="en"), graph))
    for q in list(work.quads_for_pattern(item, RDFS_LABEL, None, None)):
        label = q.object
        if not isinstance(label, ox.Literal) or (label.language or "").lower() != "en":
            continue
        name = label.value[: -len(previous) - 2] if previous and label.value.endswith(f": {previous}") \
            else label.value
        new_label = f"{name}: {text}" if text else name
        if new_label != label.value:
            work.remove(q)
            work.add(ox.Quad(item, RDFS_LABEL, ox.Literal(new_label, language="en"), q.graph_name))
            _relabel_records(work, item, label.value, new_label)


_ENDS = (ox.NamedNode("https://w3id.org/iscg/ontology#subject"), ox.NamedNode("https://w3id.org/iscg/ontology#object"))


def _relabel_records(work: ox.Store, item: ox.NamedNode, old: str, new: str) -> None:
    """Links and mappings about ``item`` read "<its label> <relation> <other>": say its new label, as
    a build from the edited table would."""
    for end in _ENDS:
        for link in list(work.quads_for_pattern(None, end, item, None)):
            for q in list(work.quads_for_pattern(link.subject, RDFS_LABEL, None, None)):
                value = q.object
                if isinstance(value, ox.Literal) and old in value.value:
                    work.remove(q)
                    work.add(ox.Quad(q.subject, RDFS_LABEL,
                                     ox.Literal(value.value.replace(old, new), language=value.language),
                                     q.graph_name))


def retire(work: ox.Store, iri: str, base: str) -> None:
    item = _node(iri)
    graph = home_graph(work, item)
    work.add(ox.Quad(item, DEPRECATED, ox.Literal(True), graph))
    work.add(ox.Quad(item, NOTE, ox.Literal(RETIRED_NOTE, language="en"), graph))


LINKS = {
    "theme": ox.NamedNode("https://w3id.org/iscg/ontology#addressesTheme"),
    "resolution": ox.NamedNode("https://w3id.org/iscg/ontology#relatedResolution"),
}
"""The links an editor may add or remove on an item's page, by the name the form uses."""
DCT_SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")


def _link(kind: str) -> ox.NamedNode:
    if kind not in LINKS:
        raise WriteRefused(f"unknown link kind {kind!r}: one of {', '.join(LINKS)}")
    return LINKS[kind]


def links(store: ox.Store, iri: str, kind: str) -> list[str]:
    """The IRIs the item links to by ``kind`` (sorted)."""
    try:
        item = ox.NamedNode(iri)
    except ValueError:
        return []
    return sorted({q.object.value for q in store.quads_for_pattern(item, _link(kind), None, None)
                   if isinstance(q.object, ox.NamedNode)})


def add_link(work: ox.Store, iri: str, kind: str, target: str) -> None:
    """Link the item to ``target``, in the graph that already holds such links of it (else its own)."""
    item, predicate, other = _node(iri), _link(kind), _node(target)
    work.add(ox.Quad(item, predicate, other, link_graph(work, item, predicate)))


def remove_link(work: ox.Store, iri: str, kind: str, target: str) -> None:
    item, predicate, other = _node(iri), _link(kind), _node(target)
    for q in list(work.quads_for_pattern(item, predicate, other, None)):
        work.remove(q)


def set_source(work: ox.Store, iri: str, source: str) -> None:
    """Replace the item's ``dct:source`` (an IRI: the itu.int page or document it was checked in)."""
    item = _node(iri)
    if not source.startswith(("https://", "http://")):
        raise WriteRefused("a source is the address (http or https) of the page or document")
    graph = home_graph(work, item)
    for q in list(work.quads_for_pattern(item, DCT_SOURCE, None, None)):
        work.remove(q)
    work.add(ox.Quad(item, DCT_SOURCE, _node(source), graph))


def sources(store: ox.Store, iri: str) -> list[str]:
    try:
        item = ox.NamedNode(iri)
    except ValueError:
        return []
    return sorted(q.object.value for q in store.quads_for_pattern(item, DCT_SOURCE, None, None)
                  if isinstance(q.object, ox.NamedNode))
