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

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..rdf.store import EmbeddedStore
from .assemble import assemble
from .corpus import Corpus, Recorded, load_corpus
from .evidence import Context, shared_terms
from .features import build_spaces
from .lineage import Coverage, build_lineages
from .pair_scores import orient, score_kind, score_pairs
from .weights import KINDS, Weights

__all__ = ["KINDS", "Weights", "CandidateSummary", "build_candidates", "precompute", "CANDIDATES_FILE"]

CANDIDATES_FILE = "candidates.json"  # the columnar index's header
FORMAT = 1


@dataclass(frozen=True)
class CandidateSummary:
    path: Path | None
    counts: dict[str, int]
    recorded: dict[str, int]
    items: int
    seconds: float


# -- the whole run -------------------------------------------------------------------------------


def build_candidates(
    store_or_corpus: EmbeddedStore | Corpus,
    *,
    weights: Weights | None = None,
    hidden_links: Iterable[str] = (),
) -> dict:
    """Every kind's candidates as one JSON-ready document (see `precompute`).

    ``hidden_links``: Link/Mapping IRIs treated as if they were not recorded (evaluation hides the
    published mappings from the detector this way).
    """
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
    ctx = Context(corpus)

    kinds: dict[str, list[dict]] = {}
    used: set[str] = set()
    # every recorded pair, and every version of a recorded lineage pair (the carry-overs), is kept
    # whatever its rank
    extra = sorted({tuple(sorted(p)) for p in recorded if len(p) == 2} | set(coverage.member_pairs()))
    for kind in KINDS:
        space = spaces[kind]
        scored = score_kind(kind, space, weights)
        todo = []
        for pair in extra:
            x, y = (corpus.items.get(i) for i in pair)
            if x is None or y is None:
                continue
            left, right = orient(kind, x, y)
            if (left.iri, right.iri) not in scored:
                todo.append((left, right))
        for (left, right), own in zip(todo, score_pairs(kind, space, weights, todo), strict=True):
            if own is not None:
                scored[(left.iri, right.iri)] = own
        kinds[kind] = assemble(
            kind,
            scored,
            shared_terms(aux, surface, list(scored)),
            items=corpus.items,
            recorded=recorded,
            coverage=coverage,
            ctx=ctx,
            weights=weights,
            used=used,
        )
    return {
        "format": FORMAT,
        "weights": weights.to_json(),
        "items": {iri: corpus.items[iri].summary() for iri in sorted(used) if iri in corpus.items},
        "kinds": kinds,
    }


def precompute(
    store: EmbeddedStore, store_dir: Path | None = None, *, weights: Weights | None = None
) -> CandidateSummary:
    """Compute every candidate now and write the columnar index into ``store_dir`` (if given).

    ``candidates.json`` is its small header, the arrays are in a memory-mapped file beside it
    (`iscg_graph.overlap.columnar`)."""
    began = time.perf_counter()
    doc = build_candidates(store, weights=weights)
    doc["data_version"] = store.meta.data_version
    path = None
    if store_dir is not None:
        from .columnar import columns_from_doc, write

        path = write(columns_from_doc(doc), Path(store_dir))
    counts = {k: sum(1 for c in v if "recorded" not in c) for k, v in doc["kinds"].items()}
    recorded = {k: sum(1 for c in v if "recorded" in c) for k, v in doc["kinds"].items()}
    return CandidateSummary(path, counts, recorded, len(doc["items"]), time.perf_counter() - began)
