"""Before / after on held-out lineage pairs: does the lineage-aware list put unknown overlaps higher?

The detector now reads recorded mappings (the ``mapped`` evidence, and carry-overs), so it must
never be scored against a pair it was given. Method:

* the gold pairs are the published, confirmed cross-Sector mappings of Questions and study groups
  (`evaluate.gold_pairs`), taken as **lineage pairs** (a Question and those continuing it are one);
* they are split in two folds by a hash of the lineage pair (deterministic, no randomness); each
  fold in turn is *held out*: every record of its lineage pairs, in every study period, of any
  status or confidence (``iscg:Link`` / ``iscg:Mapping`` and bare SKOS statements), is hidden from
  the detector, while the other fold stays recorded, as the register would be;
* the ranked list is what a person sees, new candidates only: **before**, the flat pair list of the
  previous weights (no ``mapped`` evidence, no carry-over), **after**, one row per lineage pair in the
  default order (`lineage_view.group_by_lineage`: active now first, never-concurrent last);
* a row is relevant when its lineage pair is a held-out one; P@k = relevant rows in the first k
  / k; distinct P@k counts a lineage pair once (a row repeating a pair already shown tells the
  reviewer nothing new); R@k = held-out lineage pairs reached in the first k / all held-out ones;
  both folds are summed (micro average). `HoldoutRun` keeps what each fold was given and scored
  on, so a test can check that the two never meet.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from ..rdf.store import EmbeddedStore
from .candidate import Candidate
from .columnar import columns_from_doc
from .corpus import Corpus, load_corpus
from .evaluate import gold_pairs
from .index import CandidateIndex
from .lineage import Lineages, build_lineages
from .lineage_view import group_by_lineage
from .scoring import build_candidates
from .weights import Weights

__all__ = ["PREVIOUS", "HoldoutRun", "HoldoutScore", "folds", "holdout_runs", "holdout_scores"]

# the question weights before lineages entered the score (the "before" of the comparison)
PREVIOUS = Weights(mapped=0.0)
KS = (25, 50, 100)

LineageKey = frozenset[str]


@dataclass(frozen=True)
class HoldoutRun:
    variant: str  # before | after
    fold: int
    held_out: frozenset[LineageKey]  # the lineage pairs scored against
    hidden_links: frozenset[str]  # every record of them, hidden from the detector
    given: frozenset[frozenset[str]]  # the item pairs the detector saw as recorded
    ranked: tuple[LineageKey, ...]  # the lineage pair of each row of the list, in order


@dataclass(frozen=True)
class HoldoutScore:
    variant: str
    gold: int  # held-out lineage pairs, both folds
    precision: dict[int, float]
    distinct_precision: dict[int, float]
    recall: dict[int, float]
    rows: int  # rows of the list (both folds)


def _key(lineages: Lineages, a: str, b: str) -> LineageKey:
    return frozenset((lineages.lineage(a), lineages.lineage(b)))


def folds(keys: Sequence[LineageKey], n: int = 2) -> list[frozenset[LineageKey]]:
    """Deterministic split by a hash of each lineage pair (sorted IRIs)."""
    out: list[set[LineageKey]] = [set() for _ in range(n)]
    for key in keys:
        digest = hashlib.sha256("|".join(sorted(key)).encode("utf-8")).digest()
        out[digest[0] % n].add(key)
    return [frozenset(f) for f in out]


def _ranked(corpus: Corpus, weights: Weights, hidden: frozenset[str], variant: str, today: date,
            lineages: Lineages) -> list[Candidate]:
    doc = build_candidates(corpus, weights=weights, hidden_links=hidden)
    index = CandidateIndex(columns_from_doc(doc))
    if variant == "before":  # the previous list: every unrecorded pair (carry-overs included), by score
        everything = index.query("question", limit=10**9, include_recorded=True).candidates
        return [c for c in everything if not c.is_recorded]
    new = index.query("question", limit=10**9).candidates
    return [g.best for g in group_by_lineage(new, today)]


def holdout_runs(store: EmbeddedStore | Corpus, today: date, n_folds: int = 2) -> list[HoldoutRun]:
    corpus = store if isinstance(store, Corpus) else load_corpus(store)
    lineages = build_lineages(corpus.items)
    per_kind, _hidden, _out = gold_pairs(corpus)
    gold = sorted({_key(lineages, a, b) for a, b in per_kind["question"]}, key=sorted)
    runs = []
    for i, held in enumerate(folds(gold, n_folds)):
        hidden_recs = [r for r in corpus.recorded if _key(lineages, r.subject, r.object) in held]
        hidden = frozenset(r.link for r in hidden_recs if r.link)
        bare = {r.pair for r in hidden_recs if not r.link}  # SKOS statements have no link to hide
        seen = replace(corpus, recorded=[r for r in corpus.recorded if r.pair not in bare])
        given = frozenset(r.pair for r in seen.recorded if r.link not in hidden)
        for variant, weights in (("before", PREVIOUS), ("after", Weights())):
            ranked = _ranked(seen, weights, hidden, variant, today, lineages)
            keys = tuple(_key(lineages, c.left["iri"], c.right["iri"]) for c in ranked)
            runs.append(HoldoutRun(variant, i, held, hidden, given, keys))
    return runs


def holdout_scores(runs: Sequence[HoldoutRun], ks: Sequence[int] = KS) -> list[HoldoutScore]:
    out = []
    for variant in ("before", "after"):
        mine = [r for r in runs if r.variant == variant]
        gold = sum(len(r.held_out) for r in mine)
        hits = {k: 0 for k in ks}
        reached = {k: 0 for k in ks}
        for r in mine:
            for k in ks:
                top = r.ranked[:k]
                hits[k] += sum(1 for key in top if key in r.held_out)
                reached[k] += len(r.held_out.intersection(top))
        out.append(
            HoldoutScore(
                variant,
                gold,
                {k: hits[k] / (k * len(mine)) if mine else 0.0 for k in ks},
                {k: reached[k] / (k * len(mine)) if mine else 0.0 for k in ks},
                {k: reached[k] / gold if gold else 0.0 for k in ks},
                sum(len(r.ranked) for r in mine),
            )
        )
    return out
