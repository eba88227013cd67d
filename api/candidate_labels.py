"""The candidates form's Sector / list choices in words: Sectors by name, Annex lists by their
section and name ("§1.4 Areas from the mapping of Resolutions", from the data), never a bare code."""

from __future__ import annotations

from fastapi import Request

from iscg_graph.query.reports import choices

from .querying import base_iri_of, catalog_of, query_engine

__all__ = ["code_options"]

_SECTORS = {"gs": "General Secretariat"}
_LISTS_QUERY = "list-schemes"


def _list_names(request: Request) -> dict[str, str]:
    """Annex list notation ("1.4") -> "§1.4 <name>", from the lookup query the report forms use."""
    catalog = catalog_of(request)
    if _LISTS_QUERY not in catalog:
        return {}
    names = {}
    for _value, label in choices(query_engine(request), catalog, _LISTS_QUERY, base_iri=base_iri_of(request)):
        section, _, _rest = label.removeprefix("§").partition(" ")
        names[section.lower()] = label
    return names


def code_options(request: Request, kind: str, codes: list[str]) -> list[tuple[str, str]]:
    """(value, words) for each code the index knows for ``kind``, in the given order."""
    if kind == "theme":
        names = _list_names(request)
        return [(c, names.get(c.lower(), f"§{c}")) for c in codes]
    return [(c, _SECTORS.get(c.lower(), c.upper())) for c in codes]
