"""What the instances of each class actually say: every property they use, with counts, value types
and an example, computed from the built store (so the documentation cannot leave a used property
out, as a list written from the ontology's domains did).

Written at build time into the build directory (``class-profile.json``, beside ``meta.json``) and
read by ``/docs/querying`` and the class sections of ``/ontology``. Types include the entailed ones
(`iscg_graph.rdf.entailment`): a mapping's properties are listed under ``iscg:Link`` too. Value types
are the asserted (most specific) classes of IRI values, the datatype of literals
(``rdf:langString`` for language-tagged text), or ``IRI`` for an untyped resource.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..rdf.entailment import ENTAILMENT_GRAPH, RDF_TYPE, find_entailment_graph
from ..rdf.store import EmbeddedStore
from ..vocab import curie, prefixes

PROFILE_FILE = "class-profile.json"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
VALUE_TYPES_SHOWN = 4


@dataclass(frozen=True)
class PropertyUse:
    property: str
    subjects: int  # instances of the class that use it
    triples: int
    value_types: tuple[tuple[str, int], ...]  # (class IRI, datatype IRI or "IRI"; count), most used first
    example_subject: str
    example_value: str  # N-Triples form of the value

    def share(self, instances: int) -> float:
        return self.subjects / instances if instances else 0.0


@dataclass(frozen=True)
class ClassProfile:
    cls: str
    instances: int
    properties: tuple[PropertyUse, ...]  # most used first


def _kind(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple,
          asserted_types: dict[Any, set[str]]) -> list[str]:
    if isinstance(term, ox.Literal):
        if term.language:
            return [LANG_STRING]
        return [term.datatype.value]
    found = asserted_types.get(term)
    return sorted(found) if found else ["IRI"]


def compute(store: EmbeddedStore) -> dict[str, ClassProfile]:
    """Class IRI -> its profile, over the union of all graphs (entailed types included)."""
    rdf_type = ox.NamedNode(RDF_TYPE)
    entailment = ox.NamedNode(find_entailment_graph(store.graphs()) or ENTAILMENT_GRAPH)
    types: dict[Any, set[str]] = {}
    asserted: dict[Any, set[str]] = {}
    for q in store.quads(None, rdf_type, None, None):
        if isinstance(q.object, ox.NamedNode):
            types.setdefault(q.subject, set()).add(q.object.value)
            if q.graph_name != entailment:
                asserted.setdefault(q.subject, set()).add(q.object.value)
    seen: set[tuple[Any, Any, Any]] = set()
    stats: dict[tuple[str, str], dict[str, Any]] = {}
    for q in store.quads():
        triple = (q.subject, q.predicate, q.object)
        if triple in seen:
            continue
        seen.add(triple)
        for cls in types.get(q.subject, ()):
            entry = stats.setdefault((cls, q.predicate.value),
                                     {"subjects": set(), "triples": 0, "kinds": Counter(), "example": None})
            entry["subjects"].add(q.subject)
            entry["triples"] += 1
            entry["kinds"].update(_kind(q.object, asserted))
            example = (str(q.subject), str(q.object))
            if entry["example"] is None or example < entry["example"]:
                entry["example"] = example
    counts = Counter(cls for classes in types.values() for cls in classes)
    by_class: dict[str, list[PropertyUse]] = {}
    for (cls, prop), entry in stats.items():
        subject, value = entry["example"]
        by_class.setdefault(cls, []).append(PropertyUse(
            prop, len(entry["subjects"]), entry["triples"],
            tuple(entry["kinds"].most_common()), subject.strip("<>"), value))
    return {cls: ClassProfile(cls, counts[cls], tuple(sorted(uses, key=lambda u: (-u.subjects, u.property))))
            for cls, uses in by_class.items()}


def to_json(profiles: dict[str, ClassProfile]) -> dict[str, Any]:
    return {cls: {"instances": p.instances,
                  "properties": [{"property": u.property, "subjects": u.subjects, "triples": u.triples,
                                  "value_types": [list(v) for v in u.value_types],
                                  "example": [u.example_subject, u.example_value]} for u in p.properties]}
            for cls, p in sorted(profiles.items())}


def from_json(raw: dict[str, Any]) -> dict[str, ClassProfile]:
    return {cls: ClassProfile(cls, int(body["instances"]), tuple(
        PropertyUse(u["property"], int(u["subjects"]), int(u["triples"]),
                    tuple((str(k), int(n)) for k, n in u["value_types"]), u["example"][0], u["example"][1])
        for u in body["properties"])) for cls, body in raw.items()}


def write_profile(store: EmbeddedStore, build_dir: Path) -> None:
    """The post-build step: ``class-profile.json`` in the build directory."""
    body = json.dumps(to_json(compute(store)), indent=1, ensure_ascii=False)
    (build_dir / PROFILE_FILE).write_text(body + "\n", encoding="utf-8")


def read_profile(store_dir: Path | None) -> dict[str, ClassProfile]:
    """The profiles of a built store ({} for a store built before profiles existed)."""
    if store_dir is None:
        return {}
    path = Path(store_dir) / PROFILE_FILE
    try:
        return from_json(json.loads(path.read_text("utf-8")))
    except (OSError, ValueError, KeyError):
        return {}


def display(profile: ClassProfile, table: dict[str, str]) -> list[dict[str, Any]]:
    """Rows for a page: property and value types as CURIEs where a prefix is known, the share of
    instances in per cent, one example subject and value."""
    def short(iri: str) -> str:
        return iri if iri == "IRI" else (curie(iri, table) or f"<{iri}>")

    def value(nt: str) -> str:
        if nt.startswith("<") and nt.endswith(">"):
            return short(nt[1:-1])
        return nt

    return [{"property": short(u.property), "iri": u.property, "subjects": u.subjects,
             "share": round(100 * u.share(profile.instances)), "triples": u.triples,
             "types": ", ".join(short(k) for k, _ in u.value_types[:VALUE_TYPES_SHOWN])
             + (", …" if len(u.value_types) > VALUE_TYPES_SHOWN else ""),
             "example_subject": u.example_subject, "example_value": value(u.example_value)}
            for u in profile.properties]


def class_profiles(store_dir: Path | None, base: str) -> dict[str, dict[str, Any]]:
    """Class IRI -> {"instances": n, "rows": `display` rows}, for the templates."""
    table = prefixes(base)
    return {cls: {"instances": p.instances, "rows": display(p, table)}
            for cls, p in read_profile(store_dir).items()}
