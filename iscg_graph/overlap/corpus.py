"""What overlap discovery reads from the store: the compared items, their texts and graph context.

One pass of seven fixed SPARQL queries (``iscg_graph/sparql/candidates-*.rq``, no parameters) gives a
`Corpus`: every Question, study group (working party, task group), Resolution and theme with its
partition (Sector, or theme scheme), study period, texts in every language, themes, Resolutions,
the items it continues and the study group it sits in,
and the pairs already recorded by an ``iscg:Link`` / ``iscg:Mapping`` or a SKOS mapping statement.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ..errors import StoreError
from ..query import sparql
from ..rdf.store import EmbeddedStore
from ..vocab import DEFAULT_BASE, ONTOLOGY_NS

ISCG = ONTOLOGY_NS
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DCT_TITLE = "http://purl.org/dc/terms/title"
REVIEWS_GRAPH = DEFAULT_BASE + "graph/reviews"  # under the default base; see `from_review`

ITEM_CLASS = {
    ISCG + "Question": "question",
    ISCG + "StudyGroup": "study-group",
    ISCG + "WorkingParty": "study-group",
    ISCG + "TaskGroup": "study-group",
    ISCG + "JointTaskGroup": "study-group",
    ISCG + "Resolution": "resolution",
    ISCG + "Theme": "theme",
}
_CLASS_RANK = {"question": 0, "resolution": 1, "theme": 2, "study-group": 3}


@dataclass
class Item:
    iri: str
    cls: str  # question | study-group | resolution | theme
    label: str = ""
    notation: str = ""
    sector: str = ""  # IRI of the Sector / General Secretariat
    sector_code: str = ""  # "ITU-T"
    period: str = ""  # "2017-2020"
    start: int | None = None
    end: int | None = None
    group: str = ""  # a Question's study group (IRI)
    scheme: str = ""  # a theme's scheme (IRI)
    scheme_code: str = ""
    conference: str = ""
    texts: list[tuple[str, str, str]] = field(default_factory=list)  # (predicate, lang, text)
    themes: set[str] = field(default_factory=set)
    broader: set[str] = field(default_factory=set)
    bodies: set[str] = field(default_factory=set)
    resolutions: set[str] = field(default_factory=set)
    continues: set[str] = field(default_factory=set)  # items of an earlier period it continues
    parents: set[str] = field(default_factory=set)  # a working party's / task group's study group

    @property
    def partition(self) -> str:
        """Pairs inside one partition are never proposed: the Sector, or for themes the scheme."""
        return self.scheme if self.cls == "theme" else self.sector

    def own_texts(self) -> list[str]:
        """Texts worth matching: display labels are dropped where a title in that language exists."""
        title_langs = {lang for p, lang, _ in self.texts if p == DCT_TITLE}
        seen: set[str] = set()
        out: list[str] = []
        for p, lang, text in sorted(self.texts):
            if p == RDFS_LABEL and lang in title_langs:
                continue
            key = text.strip().lower()
            if key and key not in seen:
                seen.add(key)
                out.append(text)
        return out

    def summary(self) -> dict[str, str]:
        """The item as candidates show it (IRI, label, Sector, study group, period, scheme)."""
        out = {"iri": self.iri, "type": self.cls, "label": self.label or self.notation or self.iri}
        for key in ("notation", "sector_code", "period", "group", "scheme", "scheme_code"):
            value = getattr(self, key)
            if value:
                out[key] = value
        for key in ("start", "end"):  # the study period's years, for "active at the same time"
            year = getattr(self, key)
            if year is not None:
                out[key] = str(year)
        return out


@dataclass(frozen=True)
class Recorded:
    """A pair some resource already records."""

    link: str  # the Link / Mapping IRI, or "" for a bare SKOS mapping statement
    subject: str
    object: str
    graph: str
    status: str  # local name: Asserted, Proposed, Accepted, Rejected, or ""
    confidence: str  # Confirmed / Unconfirmed / ""
    kind: str  # relation kind local name (or the SKOS property)
    mapping: bool  # an iscg:Mapping (cross-Sector)

    @property
    def pair(self) -> frozenset[str]:
        return frozenset((self.subject, self.object))

    @property
    def from_review(self) -> bool:
        return self.graph.endswith("/graph/reviews")  # under whichever base the build used


@dataclass
class Corpus:
    items: dict[str, Item]
    recorded: list[Recorded]

    def of(self, *classes: str) -> list[Item]:
        return [it for iri, it in sorted(self.items.items()) if it.cls in classes and it.partition]


def _value(term: object) -> str:
    """The lexical value of a term ("" for an unbound one)."""
    return "" if term is None else str(getattr(term, "value", ""))


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _year(term: object) -> int | None:
    if term is None:
        return None
    try:
        return int(_value(term)[:4])
    except ValueError:
        return None


def _solutions(store: EmbeddedStore, name: str) -> tuple[dict[str, int], Iterator[tuple[Any, ...]]]:
    """A fixed query's variables (name -> position) and its solutions as tuples (None: unbound):
    what ``store.select`` gives as one dict per solution, without building the dicts."""
    result = store.query(sparql.load(name))
    if not isinstance(result, ox.QuerySolutions):
        raise StoreError(f"{name} is not a SELECT query")
    return {v.value: i for i, v in enumerate(result.variables)}, (tuple(s) for s in result)


def _at(row: tuple[Any, ...], i: int | None) -> Any:
    return None if i is None else row[i]


_ITEM_FIELDS = (
    ("label", "label"),
    ("notation", "notation"),
    ("sector", "sector"),
    ("sector_code", "sectorCode"),
    ("period", "periodCode"),
    ("group", "group"),
    ("scheme", "scheme"),
    ("scheme_code", "schemeCode"),
    ("conference", "conference"),
)


def load_corpus(store: EmbeddedStore) -> Corpus:
    items: dict[str, Item] = {}
    pos, rows = _solutions(store, "candidates-items")
    i_item, i_type = pos.get("item"), pos["type"]
    fields = [(key, pos[var]) for key, var in _ITEM_FIELDS if var in pos]
    i_start, i_end, i_period = pos.get("start"), pos.get("end"), pos.get("period")
    for row in rows:
        iri = _value(_at(row, i_item))
        cls = ITEM_CLASS[_value(row[i_type])]
        item = items.get(iri)
        if item is None or _CLASS_RANK[cls] < _CLASS_RANK[item.cls]:
            old = item
            item = items[iri] = Item(iri, cls)
            if old is not None:
                item.__dict__.update({k: v for k, v in old.__dict__.items() if k not in ("iri", "cls")})
        for key, i in fields:
            value = _value(row[i])
            if value and (not getattr(item, key) or value < getattr(item, key)):
                setattr(item, key, value)  # the smallest value wins: deterministic with duplicates
        if item.start is None:
            item.start = _year(_at(row, i_start))
        if item.end is None:
            item.end = _year(_at(row, i_end))
        if not item.period and _at(row, i_period) is not None:
            item.period = _local(_value(_at(row, i_period)))

    pos, rows = _solutions(store, "candidates-texts")
    i_item, i_p, i_text = pos.get("item"), pos.get("p"), pos.get("text")
    for row in rows:
        item = items.get(_value(_at(row, i_item)))
        text = _at(row, i_text)
        if item is not None and isinstance(text, ox.Literal):
            item.texts.append((_value(_at(row, i_p)), text.language or "", str(text.value)))

    pos, rows = _solutions(store, "candidates-themes")
    i_item, i_theme, i_rel = pos.get("item"), pos.get("theme"), pos.get("rel")
    for row in rows:
        item = items.get(_value(_at(row, i_item)))
        if item is None:
            continue
        target, rel = _value(_at(row, i_theme)), _value(_at(row, i_rel))
        {"addresses": item.themes, "broader": item.broader, "body": item.bodies}[rel].add(target)

    pos, rows = _solutions(store, "candidates-resolutions")
    i_item, i_res = pos.get("item"), pos.get("resolution")
    for row in rows:
        item = items.get(_value(_at(row, i_item)))
        if item is not None:
            item.resolutions.add(_value(_at(row, i_res)))

    pos, rows = _solutions(store, "candidates-lineage")
    i_item, i_target, i_rel = pos.get("item"), pos.get("target"), pos.get("rel")
    for row in rows:
        item = items.get(_value(_at(row, i_item)))
        if item is not None:
            target = _value(_at(row, i_target))
            (item.continues if _value(_at(row, i_rel)) == "continues" else item.parents).add(target)

    recorded = []
    pos, rows = _solutions(store, "candidates-recorded")
    at = {v: pos.get(v) for v in ("link", "s", "o", "g", "status", "confidence", "kind", "mapping")}
    for row in rows:
        recorded.append(
            Recorded(
                link=_value(_at(row, at["link"])),
                subject=_value(_at(row, at["s"])),
                object=_value(_at(row, at["o"])),
                graph=_value(_at(row, at["g"])),
                status=_local(_value(_at(row, at["status"]))),
                confidence=_local(_value(_at(row, at["confidence"]))),
                kind=_local(_value(_at(row, at["kind"]))),
                mapping=_value(_at(row, at["mapping"])) == "true",
            )
        )
    recorded.sort(key=lambda r: (r.subject, r.object, r.link, r.graph))
    return Corpus(items, recorded)
