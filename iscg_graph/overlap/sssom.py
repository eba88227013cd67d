"""The register of links and mappings (review decisions included) as SSSOM: one record per link or
mapping, the curie map of the vocabulary and the public base, and the TSV with its metadata block."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import SKOS

from ..query import sparql
from ..rdf.store import EmbeddedStore
from ..vocab import ONTOLOGY_NS
from .corpus import _value

__all__ = ["SEMAPV", "SSSOM", "SSSOM_COLUMNS", "curies", "sssom_rows", "sssom_tsv"]

SSSOM = Namespace("https://w3id.org/sssom/")
SEMAPV = Namespace("https://w3id.org/semapv/vocab/")


def curies(base: str) -> dict[str, str]:
    """The SSSOM curie map: the vocabulary's namespaces and the public base's ``id/``."""
    return {
        "iscg": ONTOLOGY_NS,
        "iscgid": base + "id/",
        "skos": str(SKOS),
        "semapv": str(SEMAPV),
        "sssom": str(SSSOM),
    }


SSSOM_COLUMNS = (
    "record_id",
    "subject_id",
    "subject_label",
    "predicate_id",
    "predicate_modifier",
    "object_id",
    "object_label",
    "mapping_justification",
    "author_id",
    "mapping_date",
    "comment",
    "see_also",
    "other",
)


def _curie(iri: str, table: dict[str, str]) -> str:
    for prefix, ns in sorted(table.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _cell(text: str) -> str:
    return " ".join(text.split())  # no tabs or newlines inside a TSV cell


def sssom_rows(store: EmbeddedStore, *, base: str, mappings_only: bool = False) -> list[dict[str, str]]:
    """One SSSOM record per recorded link / mapping (reviews included), sorted by record id."""
    table = curies(base)

    def _c(iri: str) -> str:
        return _curie(iri, table)

    records: dict[str, dict[str, str]] = {}
    sources: dict[str, list[str]] = {}
    for row in store.select(sparql.load("mappings-register")):
        link = _value(row["link"])
        if mappings_only and _value(row["mapping"]) != "true":
            continue
        sources.setdefault(link, [])
        if "source" in row and _value(row["source"]) not in sources[link]:
            sources[link].append(_value(row["source"]))
        if link in records:
            continue

        def val(name: str, row: dict[str, object] = row) -> str:  # type: ignore[assignment]
            return _value(row.get(name))

        other = [
            f"iscg_status={val('status').rsplit('#', 1)[-1]}",
            f"relation_kind={val('kind').rsplit('#', 1)[-1]}",
            f"confidence={val('confidence').rsplit('#', 1)[-1]}",
            f"graph={val('g')}",
        ]
        records[link] = {
            "record_id": _c(link),
            "subject_id": _c(val("s")),
            "subject_label": _cell(val("sLabel")),
            "predicate_id": _c(val("predicate")) if val("predicate") else "skos:relatedMatch",
            "predicate_modifier": val("modifier"),
            "object_id": _c(val("o")),
            "object_label": _cell(val("oLabel")),
            "mapping_justification": _c(val("justification"))
            if val("justification")
            else "semapv:UnspecifiedMatching",
            "author_id": _c(val("agent")),
            "mapping_date": val("date"),
            "comment": _cell(val("comment")),
            "other": "|".join(other),
        }
    for link, rec in records.items():
        rec["see_also"] = "|".join(sources[link])
    return [records[k] for k in sorted(records)]


def sssom_tsv(store: EmbeddedStore, *, base: str, mappings_only: bool = False) -> str:
    """The register as SSSOM TSV: a commented YAML metadata block, then one row per record."""
    rows = sssom_rows(store, base=base, mappings_only=mappings_only)
    head = [
        "#mapping_set_id: " + base + "graph/mappings.sssom.tsv",
        "#license: https://www.apache.org/licenses/LICENSE-2.0",
        "#mapping_set_description: ISCG register of cross-Sector links and mappings, with review decisions",
        "#curie_map:",
    ]
    head += [f"#  {p}: {ns}" for p, ns in sorted(curies(base).items())]
    lines = ["\t".join(SSSOM_COLUMNS)]
    lines += ["\t".join(r.get(c, "") for c in SSSOM_COLUMNS) for r in rows]
    return "\n".join(head + lines) + "\n"
