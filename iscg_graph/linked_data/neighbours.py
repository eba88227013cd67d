"""Cross-Sector neighbours of a Question, study group or theme, for its linked-data page.

A neighbour is a resource of *another* Sector (or the General Secretariat) connected to the item
by a recorded Link/Mapping (`iscg:subject`/`iscg:object`), by a shared theme
(`iscg:addressesTheme`), or by a direct statement. For a theme, every resource addressing it is
listed with its Sector, so the page shows which Sectors work on the theme.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from ..rdf.store import EmbeddedStore
from ..vocab import RDF_TYPE
from .describe import Labeller, Node


@dataclass(frozen=True)
class Neighbour:
    node: Node
    sector: Node | None
    via: str  # "mapping", "link", "shared theme", "statement", "addresses theme"
    detail: Node | None  # the Link/Mapping, the shared theme or the predicate


@dataclass(frozen=True)
class Connection:
    via: str
    detail: Node | None


@dataclass(frozen=True)
class NeighbourGroup:
    """One neighbour with every way it is connected (a page shows one row per neighbour)."""

    node: Node
    sector: Node | None
    connections: tuple[Connection, ...]


VIA_ORDER = {"mapping": 0, "link": 1, "statement": 2, "shared theme": 3, "addresses theme": 4}


def grouped(items: list[Neighbour]) -> list[NeighbourGroup]:
    by_node: dict[str, list[Neighbour]] = {}
    for n in items:
        by_node.setdefault(n.node.value, []).append(n)
    out = []
    for group in by_node.values():
        conns = sorted(
            {Connection(n.via, n.detail) for n in group},
            key=lambda c: (VIA_ORDER.get(c.via, 9), c.detail.label if c.detail else ""),
        )
        out.append(NeighbourGroup(group[0].node, group[0].sector, tuple(conns)))
    return sorted(
        out,
        key=lambda g: (
            g.sector.label if g.sector else "~",
            VIA_ORDER.get(g.connections[0].via, 9),
            g.node.label.lower(),
        ),
    )


def _ns(labeller: Labeller) -> str:
    return labeller.prefixes["iscg"]


def sectors_of(store: EmbeddedStore, node: ox.NamedNode, iscg: str) -> set[str]:
    """The Sector(s) an item belongs to (`iscg:sector`), or the ones a Resolution concerns."""
    out = {
        q.object.value
        for q in store.quads(node, ox.NamedNode(iscg + "sector"), None, None)
        if isinstance(q.object, ox.NamedNode)
    }
    if not out:
        out = {
            q.object.value
            for q in store.quads(node, ox.NamedNode(iscg + "concernsSector"), None, None)
            if isinstance(q.object, ox.NamedNode)
        }
    return out


def has_type(store: EmbeddedStore, node: ox.NamedNode, *classes: str) -> bool:
    wanted = set(classes)
    return any(
        q.object.value in wanted
        for q in store.quads(node, RDF_TYPE, None, None)
        if isinstance(q.object, ox.NamedNode)
    )


def applies_to(store: EmbeddedStore, iri: str, iscg: str) -> str | None:
    """ "item" for Questions and study groups (and their kinds), "theme" for themes, else None."""
    node = ox.NamedNode(iri)
    groups = [iscg + c for c in ("Question", "StudyGroup", "WorkingParty", "TaskGroup", "JointTaskGroup")]
    if has_type(store, node, *groups):
        return "item"
    if has_type(store, node, iscg + "Theme"):
        return "theme"
    return None


def neighbours(store: EmbeddedStore, iri: str, labeller: Labeller) -> list[Neighbour]:
    iscg = _ns(labeller)
    kind = applies_to(store, iri, iscg)
    if kind == "theme":
        return _theme_neighbours(store, iri, labeller)
    if kind == "item":
        return _item_neighbours(store, iri, labeller)
    return []


def _sector_node(store: EmbeddedStore, node: ox.NamedNode, labeller: Labeller) -> Node | None:
    sectors = sorted(sectors_of(store, node, _ns(labeller)))
    return labeller.node(ox.NamedNode(sectors[0])) if sectors else None


def _item_neighbours(store: EmbeddedStore, iri: str, labeller: Labeller) -> list[Neighbour]:
    iscg = _ns(labeller)
    node = ox.NamedNode(iri)
    mine = sectors_of(store, node, iscg)
    subject_p, object_p = ox.NamedNode(iscg + "subject"), ox.NamedNode(iscg + "object")
    mapping_cls = iscg + "Mapping"
    found: dict[tuple[str, str, str], Neighbour] = {}

    def consider(other: object, via: str, detail: Node | None) -> None:
        if not isinstance(other, ox.NamedNode) or other == node:
            return
        theirs = sectors_of(store, other, iscg)
        if not theirs or not mine or theirs & mine:
            return
        key = (other.value, via, detail.value if detail else "")
        found.setdefault(
            key, Neighbour(labeller.node(other), _sector_node(store, other, labeller), via, detail)
        )

    # recorded links and mappings, in both directions
    for mine_p, other_p in ((subject_p, object_p), (object_p, subject_p)):
        for q in store.quads(None, mine_p, node, None):
            link = q.subject
            if not isinstance(link, ox.NamedNode):
                continue
            via = "mapping" if has_type(store, link, mapping_cls) else "link"
            for other in store.quads(link, other_p, None, None):
                consider(other.object, via, labeller.node(link))
    # shared themes
    theme_p = ox.NamedNode(iscg + "addressesTheme")
    for q in store.quads(node, theme_p, None, None):
        theme = q.object
        if isinstance(theme, ox.NamedNode):
            for other in store.quads(None, theme_p, theme, None):
                consider(other.subject, "shared theme", labeller.node(theme))
    # direct statements either way
    for q in store.quads(node, None, None, None):
        consider(q.object, "statement", labeller.node(q.predicate))
    for q in store.quads(None, None, node, None):
        consider(q.subject, "statement", labeller.node(q.predicate))
    return sorted(found.values(), key=_order)


def _theme_neighbours(store: EmbeddedStore, iri: str, labeller: Labeller) -> list[Neighbour]:
    iscg = _ns(labeller)
    theme = ox.NamedNode(iri)
    theme_p = ox.NamedNode(iscg + "addressesTheme")
    found: dict[str, Neighbour] = {}
    for q in store.quads(None, theme_p, theme, None):
        if isinstance(q.subject, ox.NamedNode):
            found.setdefault(
                q.subject.value,
                Neighbour(
                    labeller.node(q.subject),
                    _sector_node(store, q.subject, labeller),
                    "addresses theme",
                    None,
                ),
            )
    subject_p, object_p = ox.NamedNode(iscg + "subject"), ox.NamedNode(iscg + "object")
    for mine_p, other_p in ((subject_p, object_p), (object_p, subject_p)):
        for q in store.quads(None, mine_p, theme, None):
            if not isinstance(q.subject, ox.NamedNode):
                continue
            for other in store.quads(q.subject, other_p, None, None):
                if isinstance(other.object, ox.NamedNode) and other.object.value not in found:
                    found[other.object.value] = Neighbour(
                        labeller.node(other.object),
                        _sector_node(store, other.object, labeller),
                        "link",
                        labeller.node(q.subject),
                    )
    return sorted(found.values(), key=_order)


def _order(n: Neighbour) -> tuple[str, str, str]:
    return (n.sector.label if n.sector else "~", n.node.label.lower(), n.via)
