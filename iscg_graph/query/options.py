"""The service's own request parameters on ``/sparql``, beside the SPARQL protocol's.

- ``entailment=rdfs`` (the default) or ``entailment=none``: whether the default graph includes the
  materialised RDFS closure (`iscg_graph.rdf.entailment`). ``none`` makes the default graph the union
  of every other graph; it cannot be combined with a dataset the request names itself (``FROM``,
  ``default-graph-uri``…), which already says which graphs to read.
- ``labels=<language tag>``: add label columns to a SELECT result (`iscg_graph.query.labels`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from ..errors import OptionError  # noqa: F401 (defined in the one tree, re-exported here)
from ..rdf.entailment import find_entailment_graph
from .labels import LabelRequestError, parse_language

ENTAILMENT_VALUES = {"rdfs": True, "none": False, "simple": False}


@dataclass(frozen=True)
class QueryOptions:
    entailment: bool = True
    labels: str | None = None


def parse_options(params: Sequence[tuple[str, str]]) -> QueryOptions:
    entailment = [v for k, v in params if k == "entailment"]
    labels = [v for k, v in params if k == "labels"]
    if len(entailment) > 1 or len(labels) > 1:
        raise OptionError("give 'entailment' and 'labels' at most once each")
    use_entailment = True
    if entailment:
        value = entailment[0].strip().lower()
        if value not in ENTAILMENT_VALUES:
            raise OptionError(f"entailment={entailment[0]!r} is not known: use entailment=rdfs (the default, "
                              "sub-class and sub-property closure) or entailment=none")
        use_entailment = ENTAILMENT_VALUES[value]
    language = None
    if labels:
        try:
            language = parse_language(labels[0])
        except LabelRequestError as exc:
            raise OptionError(str(exc)) from exc
    return QueryOptions(use_entailment, language)


def default_graphs(options: QueryOptions, store_graphs: Collection[str], *,
                   names_dataset: bool) -> list[str] | None:
    """The default graph to use instead of the union of all graphs, or None (keep the union)."""
    entailed = find_entailment_graph(store_graphs)
    if options.entailment or entailed is None:
        return None
    if names_dataset:
        raise OptionError("entailment=none cannot be combined with a dataset the request names itself "
                          "(FROM, FROM NAMED, default-graph-uri, named-graph-uri): leave the graph "
                          f"<{entailed}> out of that dataset instead")
    return sorted(g for g in store_graphs if g != entailed)
