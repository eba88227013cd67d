"""Edits made by the web forms, as functions on a working copy (given to `WritePath.apply`).

- `set_title`: replace an item's English ``dct:title`` in the graph where the item is described,
  and the title part of its English ``rdfs:label`` (the tables make it ``"<name>: <title>"``);
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


def retire(work: ox.Store, iri: str, base: str) -> None:
    item = _node(iri)
    graph = _home(work, item)
    work.add(ox.Quad(item, DEPRECATED, ox.Literal(True), graph))
    work.add(ox.Quad(item, NOTE, ox.Literal(RETIRED_NOTE, language="en"), graph))
