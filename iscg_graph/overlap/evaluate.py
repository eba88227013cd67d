"""How good is the candidate detector? Figures against what is already known.

Method (per kind):

* **question / resolution**: the gold pairs are the cross-Sector ``iscg:Mapping`` records whose
  ``iscg:confidence`` is ``iscg:Confirmed`` (seen in a published source), excluding review decisions
  and rejected records. They are *hidden* from the detector (treated as not recorded, so they can be
  proposed), with every other record of the same lineage pair in any study period (the ``mapped``
  evidence reads recorded mappings of a pair's lineages; see also `overlap.holdout`, which holds out
  whole lineage pairs and compares the lists before and after). Mappings whose two items are not a candidate
  pair of that kind (e.g. a Question and a Resolution) are counted as out of scope.
* **theme**: the gold pairs are the curated list ``data/gold/theme-equivalences.tsv`` ("the same area
  in several Annex lists"), which is evaluation data and never loaded into the graph. The graph does
  hold reviewed equivalences between themes (``data/themes/equivalences.csv``, the areas the
  reports count once); every record of a gold pair (its ``iscg:Link`` and the bare SKOS statement)
  is hidden from the detector, as the published mappings are, so it is never scored on a pair it
  was given.

Every item in a gold pair is a query; its ranking is the detector's proposals involving it, by score;
its relevant items are its gold partners. precision@k, recall@k and reciprocal rank are averaged over
the queries (macro). Three variants are scored so the graph evidence has to earn its weight:
lexical only, graph only, and the default combination.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import SourceError
from ..rdf.store import EmbeddedStore
from ..vocab import DEFAULT_BASE
from .corpus import Corpus, load_corpus
from .lineage import build_lineages
from .scoring import KINDS, Weights, build_candidates

__all__ = ["DEFAULT_GOLD", "KindScore", "evaluate", "gold_pairs", "hide_pairs", "read_theme_gold", "VARIANTS"]

DEFAULT_GOLD = Path(__file__).resolve().parents[2] / "data" / "gold" / "theme-equivalences.tsv"
BASE = DEFAULT_BASE


def _only(weights: Weights, keep: str) -> Weights:
    """A variant: keep one family of evidence ('lexical' or 'graph'), zero the others."""

    def pick(w: dict[str, float]) -> dict[str, float]:
        return {n: (v if (n == "lexical") == (keep == "lexical") else 0.0) for n, v in w.items()}

    return replace(
        weights,
        mapped=weights.mapped if keep == "graph" else 0.0,  # recorded mappings are graph evidence
        question=pick(weights.question),
        resolution=pick(weights.resolution),
        theme=pick(weights.theme),
    )


VARIANTS = ("lexical", "graph", "combined")


@dataclass(frozen=True)
class KindScore:
    kind: str
    variant: str
    gold: int  # gold pairs of this kind
    queries: int  # items ranked
    precision: dict[int, float]
    recall: dict[int, float]
    mrr: float
    out_of_scope: int = 0  # gold pairs no kind covers (counted on the question row)


def read_theme_gold(path: Path = DEFAULT_GOLD, base: str = BASE) -> list[tuple[str, str]]:
    """theme:<scheme>:<notation> key pairs -> IRI pairs."""

    def iri(key: str, line: int) -> str:
        parts = key.split(":")
        if len(parts) != 3 or parts[0] != "theme":
            raise SourceError(
                f"{key!r} is not a theme key like theme:resolution-areas:27", path=str(path), line=line
            )
        return f"{base}id/theme/{parts[1]}/{parts[2]}"

    delimiter = "\t" if path.suffix == ".tsv" else ","
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh, delimiter=delimiter))
    except FileNotFoundError as exc:
        raise SourceError("gold list not found", path=str(path)) from exc
    return [(iri(r["left"], i + 2), iri(r["right"], i + 2)) for i, r in enumerate(rows)]


def gold_pairs(corpus: Corpus) -> tuple[dict[str, list[tuple[str, str]]], list[str], int]:
    """Published cross-Sector mappings per kind, the link IRIs to hide, and how many are out of scope."""
    per_kind: dict[str, list[tuple[str, str]]] = {k: [] for k in KINDS}
    hidden: list[str] = []
    out = 0
    seen: set[frozenset[str]] = set()
    for rec in corpus.recorded:
        if not rec.mapping or rec.confidence != "Confirmed" or rec.from_review or rec.status == "Rejected":
            continue
        hidden.append(rec.link)
        if rec.pair in seen:
            continue
        seen.add(rec.pair)
        a, b = corpus.items.get(rec.subject), corpus.items.get(rec.object)
        classes = {a.cls, b.cls} if a and b else set()
        if classes in ({"question"}, {"question", "study-group"}):
            per_kind["question"].append((rec.subject, rec.object))
        elif classes == {"resolution"}:
            per_kind["resolution"].append((rec.subject, rec.object))
        else:
            out += 1
    # every record of a gold pair is hidden (a recalled duplicate row would otherwise keep it "known")
    gold = {frozenset(p) for pairs in per_kind.values() for p in pairs}
    hidden += [rec.link for rec in corpus.recorded if rec.pair in gold and rec.link]
    return per_kind, sorted(set(hidden)), out


def _lineage_records(corpus: Corpus, gold: Sequence[tuple[str, str]]) -> list[str]:
    """Every record of a gold pair's lineages in any study period: the ``mapped`` evidence reads
    them, so they are hidden with the gold (a pair is never scored with its own answer given)."""
    lineages = build_lineages(corpus.items)

    def key(a: str, b: str) -> frozenset[str]:
        return frozenset((lineages.lineage(a), lineages.lineage(b)))

    keys = {key(a, b) for a, b in gold}
    return [r.link for r in corpus.recorded if r.link and key(r.subject, r.object) in keys]


def hide_pairs(corpus: Corpus, pairs: Sequence[tuple[str, str]]) -> Corpus:
    """The corpus without any recorded statement about these pairs (Link records and SKOS triples)."""
    gold = {frozenset(p) for p in pairs}
    return replace(corpus, recorded=[rec for rec in corpus.recorded if rec.pair not in gold])


def _rankings(doc: dict, kind: str) -> dict[str, list[str]]:
    ranked: dict[str, list[str]] = {}
    for c in doc["kinds"][kind]:  # already sorted by score
        if "recorded" in c:
            continue
        ranked.setdefault(c["left"], []).append(c["right"])
        ranked.setdefault(c["right"], []).append(c["left"])
    return ranked


def _score(
    kind: str, variant: str, gold: list[tuple[str, str]], ranked: dict[str, list[str]], ks: Sequence[int]
) -> KindScore:
    relevant: dict[str, set[str]] = {}
    for a, b in gold:
        relevant.setdefault(a, set()).add(b)
        relevant.setdefault(b, set()).add(a)
    p = {k: 0.0 for k in ks}
    r = {k: 0.0 for k in ks}
    rr = 0.0
    for q, rel in relevant.items():
        ranking = ranked.get(q, [])
        for k in ks:
            hits = len(rel.intersection(ranking[:k]))
            p[k] += hits / k
            r[k] += hits / len(rel)
        first = next((i for i, x in enumerate(ranking) if x in rel), None)
        rr += 0.0 if first is None else 1.0 / (first + 1)
    n = max(len(relevant), 1)
    return KindScore(
        kind,
        variant,
        len(gold),
        len(relevant),
        {k: v / n for k, v in p.items()},
        {k: v / n for k, v in r.items()},
        rr / n,
    )


def evaluate(
    store: EmbeddedStore | Corpus,
    *,
    gold_themes: Path | None = DEFAULT_GOLD,
    ks: Sequence[int] = (1, 5, 10),
    weights: Weights | None = None,
    variants: Sequence[str] = VARIANTS,
) -> list[KindScore]:
    corpus = store if isinstance(store, Corpus) else load_corpus(store)
    base = replace(weights or Weights(), top_k=max(max(ks), 20), min_score=0.0)
    per_kind, hidden, out = gold_pairs(corpus)
    hidden += _lineage_records(corpus, per_kind["question"])
    themes = read_theme_gold(gold_themes) if gold_themes is not None else []
    missing = [iri for pair in themes for iri in pair if iri not in corpus.items]
    if missing:
        raise SourceError(
            f"gold themes not in the graph: {', '.join(sorted(set(missing))[:5])}", path=str(gold_themes)
        )
    per_kind["theme"] = themes
    corpus = hide_pairs(corpus, themes)
    scores = []
    for variant in variants:
        w = base if variant == "combined" else _only(base, variant)
        doc = build_candidates(corpus, weights=w, hidden_links=hidden)
        for kind in KINDS:
            s = _score(kind, variant, per_kind[kind], _rankings(doc, kind), ks)
            scores.append(replace(s, out_of_scope=out if kind == "question" else 0))
    return scores
