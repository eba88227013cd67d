"""What a curated write touches of what the derived graph reads (`Scope`): filled by the rules of
`derived_delta` and `derived_labels`, read by `derived_scope`, which recomputes the statements
those reach. Its own module so the rules need no import of the recomputation."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

__all__ = ["Scope"]


@dataclass
class Scope:
    """What a write touches of what the derived graph reads (`derived_delta.reach`)."""

    items: dict[ox.NamedNode, set[ox.NamedNode]] = field(default_factory=dict)
    """item -> themes whose links of it changed (its current themes are looked up)"""
    themes: set[ox.NamedNode] = field(default_factory=set)
    matched: set[ox.NamedNode] = field(default_factory=set)
    links: set[ox.NamedNode] = field(default_factory=set)
    members: set[ox.NamedNode] = field(default_factory=set)
    """nodes whose study groups (``dv:member``, and ``dv:memberTheme`` of their themes) may change"""
    sections: set[ox.NamedNode] = field(default_factory=set)
    """themes of a list whose notation changed while it kept one: their sections' text only"""
    keyed: set[ox.NamedNode] = field(default_factory=set)
    """Questions and Resolutions whose ``dv:groupMandates`` or ``dv:parts`` may change (`derived_keyed`)"""

    covers: set[ox.NamedNode] = field(default_factory=set)
    """mappings between items on themes whose own statements changed: the coverage rows' "linked"
    flag (`derived_linked`)"""
    cover_themes: set[ox.NamedNode] = field(default_factory=set)
    """the themes of those mappings' ends (before and after): their aggregates are recomputed when the
    flags cannot be updated from the mappings alone"""

    def item(self, node: ox.NamedNode, *themes: ox.NamedNode) -> None:
        self.items.setdefault(node, set()).update(themes)
