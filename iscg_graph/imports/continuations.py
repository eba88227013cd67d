"""Which earlier Question a Question of a new study period continues, and what it would carry over.

A new Question continues at most one Question of its Sector's previous study period. When the
table says which (the ``continues`` column) that is resolved; otherwise it is *proposed* from the
titles, never decided here:

* the candidates are the Sector's Questions of the previous study period (the latest period that
  started before the new one);
* each is scored by the cosine of the two titles' word stems (the overlap detector's analyser:
  accents folded, stop words dropped, light stemming, the corpus' acronyms expanded), plus 0.15 when
  it sits in the same study group or the group the new one continues, plus 0.05 for the same number;
* the best one is proposed if its title similarity is at least `PROPOSE_AT`; the next ones are
  listed as alternatives with their scores, so the editor sees why.

Carry-over: once a continuation is confirmed, the earlier Question's theme links and mappings (not
rejected, not retired) are proposed for the new one, each as a record with status Proposed, derived
from the earlier record (``prov:wasDerivedFrom``), justified by mapping chaining. The other side of
a mapping is moved forward along its own ``continues`` chain to the item that is current with the
new Question, when there is one. Nothing is copied as a fact: the reports count Proposed records as
"to review", and a reviewer accepts or rejects each like any other candidate.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from ..overlap.text import Analyzer
from ..rdf.store import EmbeddedStore
from ..vocab import DCT, ONTOLOGY_NS, RDFS, SKOS

__all__ = [
    "PROPOSE_AT",
    "CarryOver",
    "Continuation",
    "Earlier",
    "Lineage",
    "carry_over",
    "propose",
]

PROPOSE_AT = 0.5  # title similarity a proposal needs (same titles: 1.0; reworded: 0.6-0.9)
GROUP_BONUS = 0.15
NUMBER_BONUS = 0.05
ALTERNATIVES = 3


@dataclass(frozen=True)
class Earlier:
    """A Question already in the graph, as continuation logic needs it."""

    iri: str
    sector: str
    period: str
    start: int
    end: int
    group: str  # the study group's IRI
    notation: str
    title: str
    label: str


@dataclass(frozen=True)
class Continuation:
    """What a new Question continues: chosen (from the table or proposed), with the alternatives."""

    row: int
    question: str  # the new Question's IRI
    notation: str
    earlier: Earlier | None
    basis: str  # "table" (the continues column), "proposed" (titles), "none"
    similarity: float = 0.0  # title similarity of the chosen one
    score: float = 0.0  # similarity + group and number bonus
    alternatives: tuple[tuple[Earlier, float], ...] = ()


@dataclass(frozen=True)
class CarryOver:
    """A record of the earlier Question proposed again for the new one ("carry over?")."""

    row: int
    question: str  # the new Question
    other: str  # the other side (theme, or item current with the new Question)
    other_label: str
    derived_from: str  # the earlier record's IRI
    earlier: str  # the earlier Question
    new_is_subject: bool
    relation_kind: str
    predicate: str
    mapping: bool  # an iscg:Mapping (two Sectors) or an iscg:Link (a theme)
    derived_label: str = ""  # the earlier record, in words


@dataclass
class Lineage:
    """The graph's Questions, groups and links, read once for one table."""

    questions: list[Earlier] = field(default_factory=list)
    group_continues: dict[str, str] = field(default_factory=dict)  # group -> the group it continues
    group_notation: dict[str, str] = field(default_factory=dict)
    successors: dict[str, list[str]] = field(default_factory=dict)  # item -> items continuing it
    periods: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # sector -> [(start, period)]
    analyzer: Analyzer | None = None

    @classmethod
    def read(cls, store: EmbeddedStore) -> Lineage:
        o = ONTOLOGY_NS
        rows = store.select(f"""
            SELECT ?q ?sector ?pn ?start ?end ?g ?n ?title ?label WHERE {{
              ?q a <{o}Question> ; <{o}sector>/<{SKOS}notation> ?sector ; <{SKOS}notation> ?n ;
                 <{o}studyGroup> ?g ; <{o}studyPeriod> ?p .
              ?p <{SKOS}notation> ?pn ; <{o}startYear> ?start ; <{o}endYear> ?end .
              OPTIONAL {{ ?q <{DCT}title> ?title FILTER(LANGMATCHES(LANG(?title), "en")) }}
              OPTIONAL {{ ?q <{RDFS}label> ?label FILTER(LANGMATCHES(LANG(?label), "en")) }}
              FILTER NOT EXISTS {{ ?q <http://www.w3.org/2002/07/owl#deprecated> true }}
            }}""")
        lin = cls()
        seen: set[str] = set()
        for r in rows:
            iri = _v(r["q"])
            if iri in seen:
                continue
            seen.add(iri)
            lin.questions.append(Earlier(iri, _v(r["sector"]), _v(r["pn"]), int(_v(r["start"])),
                                         int(_v(r["end"])), _v(r["g"]), _v(r["n"]), _v(r.get("title")),
                                         _v(r.get("label")) or iri))
        for r in store.select(f"""
            SELECT ?g ?n ?prev WHERE {{
              ?g <{o}studyPeriod> ?p ; <{SKOS}notation> ?n .
              OPTIONAL {{ ?g <{o}continues> ?prev }}
              VALUES ?cls {{ <{o}StudyGroup> <{o}WorkingParty> }} ?g a ?cls .
            }}"""):
            lin.group_notation[_v(r["g"])] = _v(r["n"])
            if "prev" in r:
                lin.group_continues[_v(r["g"])] = _v(r["prev"])
        for r in store.select(f"SELECT ?x ?prev WHERE {{ ?x <{o}continues> ?prev }}"):
            lin.successors.setdefault(_v(r["prev"]), []).append(_v(r["x"]))
        for r in store.select(f"""
            SELECT DISTINCT ?sector ?pn ?start WHERE {{
              ?p a <{o}StudyPeriod> ; <{o}sector>/<{SKOS}notation> ?sector ; <{SKOS}notation> ?pn ;
                 <{o}startYear> ?start }}"""):
            lin.periods.setdefault(_v(r["sector"]), []).append((int(_v(r["start"])), _v(r["pn"])))
        lin.analyzer = Analyzer.fit([q.title for q in lin.questions if q.title])
        return lin

    def previous_period(self, sector: str, start: int) -> str | None:
        earlier = sorted(p for p in self.periods.get(sector, []) if p[0] < start)
        return earlier[-1][1] if earlier else None

    def similarity(self, a: str, b: str) -> float:
        assert self.analyzer is not None
        va, vb = Counter(self.analyzer.stems(a)), Counter(self.analyzer.stems(b))
        dot = sum(n * vb[t] for t, n in va.items())
        norm = math.sqrt(sum(n * n for n in va.values())) * math.sqrt(sum(n * n for n in vb.values()))
        return dot / norm if norm else 0.0


def propose(lin: Lineage, *, row: int, question: str, sector: str, start: int, group: str, number: str,
            notation: str, title: str) -> Continuation:
    """The proposed continuation of one new Question (or none), with the alternatives and scores."""
    previous = lin.previous_period(sector, start)
    pool = [q for q in lin.questions if q.sector == sector and q.period == previous and q.iri != question]
    if not pool or not title:
        return Continuation(row, question, notation, None, "none")
    groups = {group, lin.group_continues.get(group, "")} - {""}
    group_notation = lin.group_notation.get(group, "")
    scored = []
    for q in pool:
        sim = lin.similarity(title, q.title) if q.title else 0.0
        same_group = q.group in groups or (
            group_notation and lin.group_notation.get(q.group) == group_notation)
        same_number = q.notation.split("/")[0].lstrip("Q") == number
        scored.append((sim + (GROUP_BONUS if same_group else 0.0) + (NUMBER_BONUS if same_number else 0.0),
                       sim, q))
    scored.sort(key=lambda t: (-t[0], t[2].iri))
    best_score, best_sim, best = scored[0]
    alternatives = tuple((q, round(s, 2)) for s, _sim, q in scored[1:1 + ALTERNATIVES] if s > 0)
    if best_sim < PROPOSE_AT:
        return Continuation(row, question, notation, None, "none", round(best_sim, 2), round(best_score, 2),
                            ((best, round(best_score, 2)),) + alternatives[:ALTERNATIVES - 1])
    return Continuation(row, question, notation, best, "proposed", round(best_sim, 2), round(best_score, 2),
                        alternatives)


def _current(lin: Lineage, item: str, start: int, end: int, periods: dict[str, tuple[int, int]]) -> str:
    """``item`` moved forward along ``continues`` to the latest successor overlapping [start, end]."""
    seen = {item}
    best = item
    frontier = [item]
    while frontier:
        nxt = []
        for x in frontier:
            for succ in lin.successors.get(x, []):
                if succ in seen:
                    continue
                seen.add(succ)
                span = periods.get(succ)
                if span and span[0] <= end and span[1] >= start:
                    best = succ
                nxt.append(succ)
        frontier = nxt
    return best


def carry_over(store: EmbeddedStore, lin: Lineage, continuations: list[Continuation],
               spans: dict[str, tuple[int, int]]) -> list[CarryOver]:
    """The earlier Questions' theme links and mappings, proposed for the Questions continuing them.

    ``spans``: the new Questions' (start, end) years. Pairs already recorded are left out."""
    o = ONTOLOGY_NS
    chosen = [c for c in continuations if c.earlier is not None]
    if not chosen:
        return []
    periods = {q.iri: (q.start, q.end) for q in lin.questions}
    for r in store.select(f"""
        SELECT ?x ?start ?end WHERE {{
          ?x <{o}studyPeriod> ?p . ?p <{o}startYear> ?start ; <{o}endYear> ?end }}"""):
        periods.setdefault(_v(r["x"]), (int(_v(r["start"])), int(_v(r["end"]))))
    records = store.select(f"""
        SELECT ?link ?s ?t ?kind ?pred ?cls ?label WHERE {{
          ?link <{o}subject> ?s ; <{o}object> ?t ; a ?cls .
          VALUES ?cls {{ <{o}Mapping> <{o}Link> }}
          OPTIONAL {{ ?link <{o}relationKind> ?kind }}
          OPTIONAL {{ ?link <{o}predicate> ?pred }}
          FILTER NOT EXISTS {{ ?link <{o}status> <{o}Rejected> }}
          FILTER NOT EXISTS {{ ?link <http://www.w3.org/2002/07/owl#deprecated> true }}
        }}""")
    labels = {_v(r["x"]): _v(r["l"]) for r in store.select(
        f"SELECT ?x ?l WHERE {{ ?x <{RDFS}label>|<{SKOS}prefLabel> ?l "
        f"FILTER(LANGMATCHES(LANG(?l), \"en\")) }}")}
    typed: dict[str, str] = {}
    recorded: set[frozenset[str]] = set()
    by_item: dict[str, list[tuple[str, str, str, str, str, str]]] = {}
    for r in records:
        link, s, t, cls = _v(r["link"]), _v(r["s"]), _v(r["t"]), _v(r["cls"])
        if typed.get(link) == f"{o}Mapping":
            continue  # a Mapping is also a Link (entailment): keep the narrower class once
        typed[link] = cls
        recorded.add(frozenset((s, t)))
        entry = (link, s, t, _v(r.get("kind")) or f"{o}TopicalOverlap",
                 _v(r.get("pred")) or f"{SKOS}relatedMatch", cls)
        by_item.setdefault(s, []).append(entry)
        if t != s:
            by_item.setdefault(t, []).append(entry)
    out: list[CarryOver] = []
    proposed: set[frozenset[str]] = set()
    for c in chosen:
        assert c.earlier is not None
        start, end = spans.get(c.question, (0, 9999))
        entries = {e[0]: e for e in by_item.get(c.earlier.iri, [])}
        for link, s, t, kind, pred, _cls in sorted(entries.values()):
            if typed.get(link) != f"{o}Mapping" and typed.get(link) != f"{o}Link":
                continue
            new_is_subject = s == c.earlier.iri
            other = t if new_is_subject else s
            if other == c.earlier.iri or other in {x.question for x in chosen}:
                continue
            other = _current(lin, other, start, end, periods)
            pair = frozenset((c.question, other))
            if pair in recorded or pair in proposed:
                continue
            proposed.add(pair)
            out.append(CarryOver(c.row, c.question, other, labels.get(other, other), link, c.earlier.iri,
                                 new_is_subject, kind, pred, typed[link] == f"{o}Mapping",
                                 labels.get(link, "")))
    return out


def _v(term: object) -> str:
    if term is None:
        return ""
    return str(getattr(term, "value", term))
