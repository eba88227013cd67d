"""What overlap discovery reads from the store: the compared items, their texts and graph context.

One pass of fixed SPARQL queries (``iscg_graph/query/sparql/candidates-*.rq``, no parameters) gives
a `Corpus`: every Question, study group (working party, task group), Resolution and theme with its
partition (Sector, or theme scheme), study period, texts in every language, themes, Resolutions,
the items it continues and the study group it sits in,
and the pairs already recorded by an ``iscg:Link`` / ``iscg:Mapping`` or a SKOS mapping statement.
On the on-disk store the items' own fields are read one property at a time and joined here
(`load_items`).
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


def _scan(store: EmbeddedStore, name: str) -> ox.QuerySolutions:
    result = store.query(sparql.load(name))
    if not isinstance(result, ox.QuerySolutions):
        raise StoreError(f"{name} is not a SELECT query")
    return result


def _by_subject(store: EmbeddedStore, name: str) -> dict[Any, tuple[Any, ...]]:
    """A one-property query's values (``?v``) by subject term (``?item``), in the order the store
    gives them: for one subject, the order a lookup of that subject gives."""
    out: dict[Any, tuple[Any, ...]] = {}
    for item, value in _scan(store, name):  # SELECT ?item ?v
        found = out.get(item)
        out[item] = (value,) if found is None else (*found, value)
    return out


def _texts_by_subject(store: EmbeddedStore, name: str) -> dict[Any, tuple[str, ...]]:
    """`_by_subject` with each value's lexical form."""
    return {k: tuple(map(_value, vs)) for k, vs in _by_subject(store, name).items()}


def _least(values: tuple[str, ...]) -> str:
    """The smallest non-empty value ("" if none): deterministic when there are several."""
    return values[0] if len(values) == 1 else min((v for v in values if v), default="")


def _least_with_code(objects: tuple[Any, ...], codes: dict[Any, str]) -> tuple[str, str]:
    """The smallest of ``objects`` (e.g. an item's Sectors) and the smallest of their codes."""
    if len(objects) == 1:
        return _value(objects[0]), codes.get(objects[0], "")
    return (_least(tuple(map(_value, objects))),
            min((code for o in objects if (code := codes.get(o, ""))), default=""))


def _first_year(periods: tuple[Any, ...], years: dict[Any, tuple[Any, ...]]) -> int | None:
    """The first year that parses, periods in order and each one's years in order."""
    for period in periods:
        for term in years.get(period, ()):
            year = _year(term)
            if year is not None:
                return year
    return None


def _period(periods: tuple[Any, ...], codes: dict[Any, tuple[str, ...]]) -> str:
    """An item's study period: the smallest code of its periods, or the local name of a period
    without one where no code came before it (periods in order, each one's codes in order)."""
    found = ""
    for period in periods:
        for code in codes.get(period) or ("",):
            if code and (not found or code < found):
                found = code
            if not found:
                found = _local(_value(period))
    return found


def _classes(store: EmbeddedStore) -> dict[Any, str]:
    """The compared items (not deprecated) and their class, in the store's order: an item of several
    classes is compared as the first in the ranking."""
    deprecated = {_value(item) for item, in _scan(store, "candidates-item-deprecated")}
    out: dict[Any, str] = {}
    for item, types in _by_subject(store, "candidates-item-types").items():
        if _value(item) not in deprecated:
            out[item] = min((ITEM_CLASS[_value(t)] for t in types), key=_CLASS_RANK.__getitem__)
    return out


def items_by_property(store: EmbeddedStore) -> dict[str, Item]:
    """The compared items with their fields, one query per property (candidates-item-*.rq) joined
    here by item: the same items, in the same order, with the same values as `items_joined`."""
    classes = _classes(store)
    notations = _texts_by_subject(store, "candidates-item-notations")
    codes = {k: _least(vs) for k, vs in notations.items()}
    labels, groups, conferences = (
        {k: _least(vs) for k, vs in _texts_by_subject(store, f"candidates-item-{name}").items()}
        for name in ("labels", "groups", "conferences"))
    sectors = _by_subject(store, "candidates-item-sectors")
    schemes = _by_subject(store, "candidates-item-schemes")
    periods = _by_subject(store, "candidates-item-periods")
    starts = _by_subject(store, "candidates-item-period-starts")
    ends = _by_subject(store, "candidates-item-period-ends")
    items: dict[str, Item] = {}
    for term, cls in classes.items():
        iri = _value(term)
        item = items[iri] = Item(iri, cls, label=labels.get(term, ""), notation=codes.get(term, ""),
                                 group=groups.get(term, ""), conference=conferences.get(term, ""))
        if (objects := sectors.get(term)) is not None:
            item.sector, item.sector_code = _least_with_code(objects, codes)
        if (objects := schemes.get(term)) is not None:
            item.scheme, item.scheme_code = _least_with_code(objects, codes)
        if (objects := periods.get(term)) is not None:
            item.period = _period(objects, notations)
            item.start, item.end = _first_year(objects, starts), _first_year(objects, ends)
    return items


_JOINED_FIELDS = (
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


def items_joined(store: EmbeddedStore) -> dict[str, Item]:
    """The compared items with their fields, from one query with an OPTIONAL per property
    (candidates-items.rq): one row per combination of values, folded. Where a property has several
    values the smallest wins; a study period's years are those of the first period that has one,
    in the store's order."""
    items: dict[str, Item] = {}
    pos, rows = _solutions(store, "candidates-items")
    i_item, i_type = pos.get("item"), pos["type"]
    fields = [(key, pos[var]) for key, var in _JOINED_FIELDS if var in pos]
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
    return items


def load_items(store: EmbeddedStore) -> dict[str, Item]:
    """The compared items with their own fields. Oxigraph answers the joined query's OPTIONALs with
    a lookup per item and property: cheap in memory, dear on disk (RocksDB), where a scan of each
    property costs less. At 1M: 8.5-9.5 s joined against about 4 s by property on the on-disk
    store, 2.0 s against 3.7 s in memory. Both give the same items (tests/unit/test_corpus_items.py).
    """
    return items_by_property(store) if store.on_disk else items_joined(store)


def load_corpus(store: EmbeddedStore) -> Corpus:
    items = load_items(store)

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
