"""What a write derives on the dataset-after, from the whole of it or only from what the change
reaches: the RDFS closure (`iscg_graph.rdf.entailment`) and the derived overlap graph
(`iscg_graph.rdf.derived`, bounded by `iscg_graph.rdf.derived_delta`). The write path
(`writes`) and the journal replay (`replay`) call them; `overlay.reentail` is the bounded closure."""

from __future__ import annotations

import pyoxigraph as ox

from ..errors import OverlayUnsupported
from ..rdf.entailment import materialise_store
from .overlay import Overlay
from .patch import Patch

__all__ = ["reentail_all", "rederive"]


def reentail_all(work: ox.Store, graph_iri: str) -> None:
    """Make the entailment graph of ``work`` the closure of its other graphs (in place)."""
    graph = ox.NamedNode(graph_iri)
    current = set(work.quads_for_pattern(None, None, None, graph))
    wanted = {ox.Quad(t.subject, t.predicate, t.object, graph) for t in materialise_store(work, graph_iri)}
    for quad in current - wanted:
        work.remove(quad)
    work.extend(wanted - current)


def rederive(work: ox.Store, graphs: list[str], change: Patch) -> tuple[str | None, Patch]:
    """Make the derived overlap graph of ``work`` (if the store has one) current, in place, after
    the entailment closure (whose statements it reads) and ``change`` (all the write changed in
    the other graphs); its IRI (or None) and the derived quads removed and added. Recomputed in
    full only when the change reaches what it is computed from (`iscg_graph.rdf.derived_delta`)."""
    from ..rdf.derived import find_derived_graph, materialise_store
    from ..rdf.derived_delta import rederive

    graph_iri = find_derived_graph(graphs)
    if graph_iri is None:
        return None, Patch((), ())
    bounded = rederive(work, graph_iri, (change.removed, change.added))
    if bounded is not None:
        return graph_iri, Patch(*bounded)
    if isinstance(work, Overlay):
        raise OverlayUnsupported("the derived graph recomputed from the whole dataset")
    graph = ox.NamedNode(graph_iri)
    current = set(work.quads_for_pattern(None, None, None, graph))
    wanted = {ox.Quad(t.subject, t.predicate, t.object, graph) for t in materialise_store(work, graph_iri)}
    removed, added = tuple(current - wanted), tuple(wanted - current)
    for quad in removed:
        work.remove(quad)
    work.extend(added)
    return graph_iri, Patch(removed, added)
