"""What overlap discovery reads from the store: the compared items, their texts and graph context.

One pass of seven fixed SPARQL queries (``iscg_graph/sparql/candidates-*.rq``, no parameters) gives a
`Corpus`: every Question, study group (working party, task group), Resolution and theme with its
partition (Sector, or theme scheme), study period, texts in every language, themes, Resolutions,
the items it continues and the study group it sits in,
and the pairs already recorded by an ``iscg:Link`` / ``iscg:Mapping`` or a SKOS mapping statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

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


def load_corpus(store: EmbeddedStore) -> Corpus:
    items: dict[str, Item] = {}
    for row in store.select(sparql.load("candidates-items")):
        iri = _value(row.get("item"))
        cls = ITEM_CLASS[_value(row["type"])]
        item = items.get(iri)
        if item is None or _CLASS_RANK[cls] < _CLASS_RANK[item.cls]:
            old = item
            item = items[iri] = Item(iri, cls)
            if old is not None:
                item.__dict__.update({k: v for k, v in old.__dict__.items() if k not in ("iri", "cls")})
        for key, var in (
            ("label", "label"),
            ("notation", "notation"),
            ("sector", "sector"),
            ("sector_code", "sectorCode"),
            ("period", "periodCode"),
            ("group", "group"),
            ("scheme", "scheme"),
            ("scheme_code", "schemeCode"),
            ("conference", "conference"),
        ):
            value = _value(row.get(var))
            if value and (not getattr(item, key) or value < getattr(item, key)):
                setattr(item, key, value)  # the smallest value wins: deterministic with duplicates
        if item.start is None:
            item.start = _year(row.get("start"))
        if item.end is None:
            item.end = _year(row.get("end"))
        if not item.period and row.get("period") is not None:
            item.period = _local(_value(row.get("period")))

    for row in store.select(sparql.load("candidates-texts")):
        item = items.get(_value(row.get("item")))
        text = row.get("text")
        if item is not None and isinstance(text, ox.Literal):
            item.texts.append((_value(row.get("p")), text.language or "", str(text.value)))

    for row in store.select(sparql.load("candidates-themes")):
        item = items.get(_value(row.get("item")))
        if item is None:
            continue
        target, rel = _value(row.get("theme")), _value(row.get("rel"))
        {"addresses": item.themes, "broader": item.broader, "body": item.bodies}[rel].add(target)

    for row in store.select(sparql.load("candidates-resolutions")):
        item = items.get(_value(row.get("item")))
        if item is not None:
            item.resolutions.add(_value(row.get("resolution")))

    for row in store.select(sparql.load("candidates-lineage")):
        item = items.get(_value(row.get("item")))
        if item is not None:
            target = _value(row.get("target"))
            (item.continues if _value(row.get("rel")) == "continues" else item.parents).add(target)

    recorded = []
    for row in store.select(sparql.load("candidates-recorded")):
        mapping = row.get("mapping")
        recorded.append(
            Recorded(
                link=_value(row.get("link")),
                subject=_value(row.get("s")),
                object=_value(row.get("o")),
                graph=_value(row.get("g")),
                status=_local(_value(row.get("status"))),
                confidence=_local(_value(row.get("confidence"))),
                kind=_local(_value(row.get("kind"))),
                mapping=_value(mapping) == "true",
            )
        )
    recorded.sort(key=lambda r: (r.subject, r.object, r.link, r.graph))
    return Corpus(items, recorded)
