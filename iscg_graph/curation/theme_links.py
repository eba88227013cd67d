"""Theme links made and removed through the service, as the tables make them.

A row of ``data/theme-links/`` (item, theme, justification, curator, date) gives the statement
``<item> iscg:addressesTheme <theme>`` and a link record ``id/link/<item>/theme/<theme>`` (who, when,
why, confidence, source) in ``graph/theme-links``. An editor's link is written the same way — the
editor as curator, the form's comment as justification, today as date — so that `iscg export`
can write it as a row and a build from that row gives the very same statements. An editor whom no
agent of the graph names gets one (in ``graph/coordination``, as a row of the agents table would
make it). Removing a theme link removes the statement and its record.
"""

from __future__ import annotations

import re
from datetime import date as Date

import pyoxigraph as ox

from ..errors import WriteRefused

__all__ = ["CURATION_DOCUMENT", "add_theme_link", "agent_iri", "remove_theme_link", "theme_link_iri"]

_ISCG = "https://w3id.org/iscg/ontology#"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
_PREF = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
_IN_SCHEME = ox.NamedNode("http://www.w3.org/2004/02/skos/core#inScheme")
_NOTATION = ox.NamedNode("http://www.w3.org/2004/02/skos/core#notation")
_DCT = "http://purl.org/dc/terms/"
_PROV_AGENT = ox.NamedNode("http://www.w3.org/ns/prov#Agent")
_FOAF_AGENT = ox.NamedNode("http://xmlns.com/foaf/0.1/Agent")
ADDRESSES = ox.NamedNode(_ISCG + "addressesTheme")
CURATION_DOCUMENT = "iscg-graph-curation"
"""The document (``doc:iscg-graph-curation``) every curated theme link cites as its source."""


def _iscg(name: str) -> ox.NamedNode:
    return ox.NamedNode(_ISCG + name)


def _node(iri: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise WriteRefused(f"{iri!r} is not an IRI") from exc


def _slug(name: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9.-]", "-", name.strip().lower())).strip("-.")


def agent_iri(base: str, name: str) -> str:
    """The agent a person is recorded as (as the tables' ``agent:<slug>`` key names it)."""
    return f"{base}id/agent/{_slug(name)}"


def theme_link_iri(base: str, item: str, theme: str) -> str:
    return f"{base}id/link/{item[len(base) + 3:]}/theme/{theme[len(base) + 9:]}"


def _english(store: ox.Store, node: ox.NamedNode, predicate: ox.NamedNode) -> str:
    for q in store.quads_for_pattern(node, predicate, None, None):
        if isinstance(q.object, ox.Literal) and q.object.language == "en":
            return q.object.value
    return ""


def _theme_words(store: ox.Store, theme: ox.NamedNode) -> str:
    label = _english(store, theme, _PREF)
    section = ""
    for scheme in store.quads_for_pattern(theme, _IN_SCHEME, None, None):
        for notation in store.quads_for_pattern(scheme.object, _NOTATION, None, None):  # type: ignore[arg-type]
            if isinstance(notation.object, ox.Literal):
                section = notation.object.value
    return f"{label} (§{section})" if section else label


def _words(store: ox.Store, base: str, item: ox.NamedNode) -> str:
    return _english(store, item, _LABEL) or item.value[len(base):]


def add_theme_link(work: ox.Store, item_iri: str, theme_iri: str, *, curator: str, justification: str,
                   on: Date, base: str) -> None:
    """Link ``item_iri`` to ``theme_iri`` with its record, as a theme-links row would."""
    if not justification.strip():
        raise WriteRefused("a theme link needs a justification (the comment)")
    if not _slug(curator):
        raise WriteRefused("a theme link needs a curator")
    item, theme = _node(item_iri), _node(theme_iri)
    graph = ox.NamedNode(f"{base}graph/theme-links")
    link = ox.NamedNode(theme_link_iri(base, item_iri, theme_iri))
    agent = ox.NamedNode(agent_iri(base, curator))
    label = f"{_words(work, base, item)} addresses the theme {_theme_words(work, theme)}"
    dct = {name: ox.NamedNode(_DCT + name) for name in ("date", "source")}
    work.add(ox.Quad(item, ADDRESSES, theme, graph))
    for predicate, value in (
        (_RDF_TYPE, _iscg("Link")),
        (_iscg("subject"), item),
        (_iscg("object"), theme),
        (_iscg("relationKind"), _iscg("TopicalOverlap")),
        (_iscg("predicate"), ox.NamedNode("http://www.w3.org/2004/02/skos/core#relatedMatch")),
        (ox.NamedNode("http://www.w3.org/ns/prov#wasAttributedTo"), agent),
        (dct["date"], ox.Literal(on.isoformat(), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))),
        (_iscg("status"), _iscg("Asserted")),
        (ox.NamedNode("https://w3id.org/sssom/mapping_justification"),
         ox.NamedNode("https://w3id.org/semapv/vocab/ManualMappingCuration")),
        (_COMMENT, ox.Literal(" ".join(justification.split()), language="en")),
        (_LABEL, ox.Literal(label, language="en")),
        (_iscg("confidence"), _iscg("Confirmed")),
        (dct["source"], ox.NamedNode(f"{base}id/document/{CURATION_DOCUMENT}")),
    ):
        work.add(ox.Quad(link, predicate, value, graph))
    if not any(True for _ in work.quads_for_pattern(agent, _RDF_TYPE, _PROV_AGENT, None)):
        home = ox.NamedNode(f"{base}graph/coordination")  # where the agents table puts its rows
        for predicate, value in (
            (_RDF_TYPE, _PROV_AGENT),
            (_RDF_TYPE, _FOAF_AGENT),
            (_LABEL, ox.Literal(curator.strip(), language="en")),
            (_iscg("confidence"), _iscg("Confirmed")),
            (dct["source"], ox.NamedNode(f"{base}id/document/{CURATION_DOCUMENT}")),
        ):
            work.add(ox.Quad(agent, predicate, value, home))


def remove_theme_link(work: ox.Store, item_iri: str, theme_iri: str, *, base: str) -> None:
    """Remove the statement and every record of it (a curated or a table's link record)."""
    item, theme = _node(item_iri), _node(theme_iri)
    for q in list(work.quads_for_pattern(item, ADDRESSES, theme, None)):
        work.remove(q)
    records = {q.subject for q in work.quads_for_pattern(None, _iscg("subject"), item, None)
               if any(True for _ in work.quads_for_pattern(q.subject, _iscg("object"), theme, None))
               and any(True for _ in work.quads_for_pattern(q.subject, _RDF_TYPE, _iscg("Link"), None))}
    for record in records:
        if isinstance(record, ox.NamedNode) and record.value.startswith(f"{base}id/link/"):
            for q in list(work.quads_for_pattern(record, None, None, None)):
                work.remove(q)
