"""Edits made by the web forms, as functions on a working copy (given to `WritePath.apply`).

- `set_title`: replace an item's English ``dct:title`` (and its English ``rdfs:label``, which the
  shapes keep equal for Questions), in the graph where the title was;
- `retire`: an item is never deleted: it keeps its IRI and statements, gets ``owl:deprecated true``
  and an editorial note saying it was retired (its page says so).
"""

from __future__ import annotations

import pyoxigraph as ox

from ..errors import WriteRefused

__all__ = ["RETIRED_NOTE", "current_title", "retire", "set_title"]

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


def _home(work: ox.Store, item: ox.NamedNode) -> ox.NamedNode | ox.BlankNode | ox.DefaultGraph:
    """The graph holding the item's description (where its rdf:type is)."""
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    for q in work.quads_for_pattern(item, rdf_type, None, None):
        return q.graph_name
    raise WriteRefused(f"{item.value} is not an item of the graph")


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
    graph = _home(work, item)
    text = " ".join(title.split())
    for predicate in (DCT_TITLE, RDFS_LABEL):
        old = [q for q in work.quads_for_pattern(item, predicate, None, None)
               if isinstance(q.object, ox.Literal) and (q.object.language or "").lower() == "en"]
        if predicate == RDFS_LABEL and not old:
            continue
        for q in old:
            work.remove(q)
        if text:
            work.add(ox.Quad(item, predicate, ox.Literal(text, language="en"), graph))


def retire(work: ox.Store, iri: str, base: str) -> None:
    item = _node(iri)
    graph = _home(work, item)
    work.add(ox.Quad(item, DEPRECATED, ox.Literal(True), graph))
    work.add(ox.Quad(item, NOTE, ox.Literal(RETIRED_NOTE, language="en"), graph))
