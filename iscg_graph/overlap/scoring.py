"""Candidate overlaps nobody has recorded yet: discovery and scoring.

Three kinds of candidate pairs, each between two *partitions* (never inside one):

* ``question``   a Question and a Question or study group of another Sector;
* ``resolution`` two Resolutions of different Sectors' assemblies (PP = General Secretariat);
* ``theme``      two themes of different Annex lists (theme schemes).

Score = weighted sum of cosine similarities, then a study-period factor (Questions only)::

    question:   b = 0.60 lexical + 0.25 shared themes + 0.15 shared Resolutions;
                b + 0.15 mapped lineages x (1 - b)       (x 0.85 if the study periods are disjoint)
    resolution: 0.60 lexical + 0.25 shared themes + 0.15 shared mandated items
    theme:      0.70 lexical + 0.20 co-addressed by the same items + 0.10 same coordination body

*lexical* is TF-IDF (`iscg_graph.overlap.text`) over titles, labels in every language and descriptions; a
study group's text also carries its Questions' titles (weight 0.3), and its themes/Resolutions those
of its Questions (weight 0.5). The graph vectors count themes with their broader themes (0.5).
*mapped lineages* (`iscg_graph.overlap.lineage`): 1 when the two items' lineages are recorded as
mapped in another study period, 0.5 when one side's lineage is mapped to a working party / task
group of the other (a study group); it closes 0.15 of the gap to 1 (`weights.lifted`), so pairs
without such a record keep their score. A pair's own records never enter its own score: they only
decide whether it is proposed, flagged as recorded, or (its lineage pair recorded in another
period) flagged as a carry-over.

The scores themselves (every item's top pairs, one recorded pair's own score) are
`iscg_graph.overlap.pair_scores`'s; this module adds the evidence and the records of each pair.
`precompute()` runs it all when the store is built and writes the columnar index
(`iscg_graph.overlap.columnar`, deterministic) next to the store;
`iscg_graph.overlap.index.CandidateIndex` serves it.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Container, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..rdf.store import EmbeddedStore
from .assemble import assemble
from .columnar import Columns, columns_from_arrays, write
from .corpus import Corpus, Item, Recorded, load_corpus
from .evidence import Context, shared_terms
from .features import Space, build_spaces
from .kind_columns import Catalog, ScoredArrays, Sources, kind_columns
from .lineage import Coverage, build_lineages
from .pair_scores import orient, score_kind, score_kind_arrays, score_pairs
from .weights import KINDS, Weights

__all__ = ["KINDS", "Weights", "CandidateSummary", "build_candidates", "build_columns", "precompute",
           "precompute_threads", "collector_paused", "CANDIDATES_FILE"]

CANDIDATES_FILE = "candidates.json"  # the columnar index's header
FORMAT = 1
MAX_THREADS = 4
"""A precompute's threads at most. Only a dense kind's chunks of rows run in parallel (the question
kind's scores at 1M: 13.5 s in one thread, 8.5 s in two; docs/notes/scale.md §56)."""


@dataclass(frozen=True)
class CandidateSummary:
    path: Path | None
    counts: dict[str, int]
    recorded: dict[str, int]
    items: int
    seconds: float


# -- the whole run -------------------------------------------------------------------------------


@dataclass
class _Run:
    """What every kind's candidates are computed from (once per run)."""

    corpus: Corpus
    weights: Weights
    recorded: dict[frozenset[str], list[Recorded]]
    coverage: Coverage
    spaces: dict[str, Space]
    surface: dict[str, str]
    aux: dict
    ctx: Context
    extra: list[tuple[Item, Item]]

    def todo(self, kind: str, scored: Container[tuple[str, str]]) -> list[tuple[Item, Item]]:
        """The recorded pairs and carry-overs (`extra`) the kind's top k left out, oriented; a pair
        the kind's space does not hold is left out here (`score_pairs` would give it None)."""
        ia, ib = self.spaces[kind].positions()
        out = []
        for x, y in self.extra:
            if not ((x.iri in ia and y.iri in ib) or (y.iri in ia and x.iri in ib)):
                continue
            left, right = orient(kind, x, y)
            if (left.iri, right.iri) not in scored:
                out.append((left, right))
        return out


def _prepare(
    store_or_corpus: EmbeddedStore | Corpus, weights: Weights | None, hidden_links: Iterable[str]
) -> _Run:
    weights = weights or Weights()
    corpus = store_or_corpus if isinstance(store_or_corpus, Corpus) else load_corpus(store_or_corpus)
    hidden = set(hidden_links)
    recorded: dict[frozenset[str], list[Recorded]] = {}
    for rec in corpus.recorded:
        if rec.link not in hidden:
            recorded.setdefault(rec.pair, []).append(rec)
    lineages = build_lineages(corpus.items)
    coverage = Coverage(corpus, lineages, recorded)
    spaces, _analyzer, surface, aux = build_spaces(corpus, weights, coverage)
    # every recorded pair, and every version of a recorded lineage pair (the carry-overs), is kept
    # whatever its rank (the pairs of two items, looked up once for every kind)
    items = corpus.items
    extra = [
        (items[x], items[y])
        for x, y in sorted({tuple(sorted(p)) for p in recorded if len(p) == 2} | set(coverage.member_pairs()))
        if x in items and y in items
    ]
    return _Run(corpus, weights, recorded, coverage, spaces, surface, aux, Context(corpus), extra)


def build_candidates(
    store_or_corpus: EmbeddedStore | Corpus,
    *,
    weights: Weights | None = None,
    hidden_links: Iterable[str] = (),
) -> dict:
    """Every kind's candidates as one JSON-ready document (`precompute` writes the same candidates
    as the columnar index, from arrays: `build_columns`).

    ``hidden_links``: Link/Mapping IRIs treated as if they were not recorded (evaluation hides the
    published mappings from the detector this way).
    """
    run = _prepare(store_or_corpus, weights, hidden_links)
    corpus, weights = run.corpus, run.weights
    kinds: dict[str, list[dict]] = {}
    used: set[str] = set()
    for kind in KINDS:
        space = run.spaces[kind]
        scored = score_kind(kind, space, weights)
        todo = run.todo(kind, scored)
        for (left, right), own in zip(todo, score_pairs(kind, space, weights, todo), strict=True):
            if own is not None:
                scored[(left.iri, right.iri)] = own
        kinds[kind] = assemble(
            kind,
            scored,
            shared_terms(run.aux, run.surface, list(scored)),
            items=corpus.items,
            recorded=run.recorded,
            coverage=run.coverage,
            ctx=run.ctx,
            weights=weights,
            used=used,
        )
    return {
        "format": FORMAT,
        "weights": weights.to_json(),
        "items": {iri: corpus.items[iri].summary() for iri in sorted(used) if iri in corpus.items},
        "kinds": kinds,
    }


class _PairKeys(Container[tuple[str, str]]):
    """(left IRI, right IRI) in the scored pairs, tested by number, without a tuple per pair."""

    def __init__(self, cat: Catalog, left: np.ndarray, right: np.ndarray):
        self.number, self.size = cat.number, len(cat.iris)
        self.keys = set((left * self.size + right).tolist())

    def __contains__(self, pair: object) -> bool:
        if not isinstance(pair, tuple) or len(pair) != 2:
            return False
        return self.number[pair[0]] * self.size + self.number[pair[1]] in self.keys


def _scored_arrays(run: _Run, kind: str, cat: Catalog, threads: int) -> ScoredArrays:
    """The kind's top pairs and its left-out recorded pairs / carry-overs, as `Catalog` numbers."""
    space = run.spaces[kind]
    kept, swap, names = score_kind_arrays(kind, space, run.weights, threads=threads)
    ga = np.array([cat.number[it.iri] for it in space.left], dtype=np.int64)
    gb = np.array([cat.number[it.iri] for it in space.right], dtype=np.int64)
    a, b = ga[kept.rows], gb[kept.cols]
    left, right = np.where(swap, b, a), np.where(swap, a, b)
    todo = run.todo(kind, _PairKeys(cat, left, right))
    found = [(pair, own) for pair, own in zip(todo, score_pairs(kind, space, run.weights, todo), strict=True)
             if own is not None]
    return ScoredArrays(
        left=np.concatenate([left, np.array([cat.number[x.iri] for (x, _), _ in found], dtype=np.int64)]),
        right=np.concatenate([right, np.array([cat.number[y.iri] for (_, y), _ in found], dtype=np.int64)]),
        score=np.concatenate([kept.score, np.array([own["score"] for _, own in found], dtype=np.float64)]),
        comps=np.concatenate(
            [kept.comps, np.array([[own["components"][n] for n in names] for _, own in found],
                                  dtype=np.float64).reshape(-1, len(names))]
        ),
        names=names,
        factor=np.concatenate(
            [kept.factor, np.array([own["period_factor"] for _, own in found], dtype=np.float64)]
        ),
    )


def build_columns(
    store_or_corpus: EmbeddedStore | Corpus,
    *,
    weights: Weights | None = None,
    hidden_links: Iterable[str] = (),
    data_version: str = "",
    threads: int = 1,
) -> tuple[Columns, CandidateSummary]:
    """The columnar index of `build_candidates`' document, byte for byte, without the document:
    each kind's evidence written from arrays (`iscg_graph.overlap.kind_columns`). ``threads``: how
    many a dense kind's scores run in (the same index whatever the number)."""
    run = _prepare(store_or_corpus, weights, hidden_links)
    cat = Catalog(run.corpus.items, run.coverage.lineages.of)
    src = Sources(run.recorded, run.coverage, run.ctx, run.weights, run.aux, run.surface)
    kinds = {kind: kind_columns(kind, _scored_arrays(run, kind, cat, threads), cat, src) for kind in KINDS}
    row = np.cumsum(cat.used) - 1  # an item's row among the items the index names (IRI order)
    items = {cat.iris[g]: run.corpus.items[cat.iris[g]].summary() for g in np.flatnonzero(cat.used).tolist()}
    arrays = {
        kind: {**vars(k), "left": row[k.left], "right": row[k.right], "ev.off": k.ev_off,
               "ev.blob": k.ev_blob}
        for kind, k in kinds.items()
    }
    columns = columns_from_arrays(items, arrays, data_version=data_version, weights=run.weights.to_json())
    summary = CandidateSummary(
        None,
        {kind: int((~k.recorded).sum()) for kind, k in kinds.items()},
        {kind: int(k.recorded.sum()) for kind, k in kinds.items()},
        len(items),
        0.0,
    )
    return columns, summary


def precompute_threads() -> int:
    """The cores this process may run on, at most `MAX_THREADS`."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(MAX_THREADS, cores))


@contextmanager
def collector_paused(pause: bool) -> Iterator[None]:
    """Python's cyclic garbage collector off meanwhile (if ``pause``), back as it was after."""
    was = gc.isenabled()
    if pause:
        gc.disable()
    try:
        yield
    finally:
        if pause and was:
            gc.enable()


def precompute(
    store: EmbeddedStore,
    store_dir: Path | None = None,
    *,
    weights: Weights | None = None,
    background: bool = False,
) -> CandidateSummary:
    """Compute every candidate now and write the columnar index into ``store_dir`` (if given).

    ``candidates.json`` is its small header, the arrays are in a memory-mapped file beside it
    (`iscg_graph.overlap.columnar`). In the foreground (the build, the command line) the run takes
    `precompute_threads` threads and pauses the cyclic garbage collector: it makes millions of
    objects and no cycle, and each collection scanned them for nothing (about 5 s of the 1M build
    step, docs/notes/scale.md §56). ``background``: beside requests (the service): one thread, so
    the other cores stay with them, and the collector left on for their threads."""
    began = time.perf_counter()
    with collector_paused(not background):
        columns, summary = build_columns(
            store, weights=weights, data_version=store.meta.data_version,
            threads=1 if background else precompute_threads(),
        )
    path = write(columns, Path(store_dir)) if store_dir is not None else None
    return replace(summary, path=path, seconds=time.perf_counter() - began)
