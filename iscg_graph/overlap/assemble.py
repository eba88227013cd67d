"""One kind's candidates as the document lists them: each scored pair with its evidence.

This is the per-candidate part of `scoring.build_candidates` (hundreds of thousands of candidates
at 1M), so the work that does not depend on the pair is done once per item or once per run: each
item's lineage, its themes / Resolutions with its Questions' (`evidence.Context`), whether its
lineage pair has any mapping or covering record at all (most have none, even where each lineage
has one with some other lineage: `Coverage.mapped` and `Coverage.covering` are then skipped, their
answer is known: nothing). The values are those of the
per-candidate code it replaced, key for key (tests/unit/test_assemble.py keeps that code as the
reference).
"""

from __future__ import annotations

from collections.abc import Iterable

from .corpus import Item, Recorded
from .evidence import Context
from .lineage import Coverage
from .weights import Weights, lifted

__all__ = ["assemble", "records"]


def records(recs: Iterable[Recorded]) -> list[dict[str, str]]:
    """Records as evidence: which pair, which link, what status (one entry per link)."""
    out: dict[tuple[str, str, str], dict[str, str]] = {}
    for r in recs:
        key = (r.link, r.subject, r.object)
        out.setdefault(key, {"link": r.link, "subject": r.subject, "object": r.object, "status": r.status})
    return [out[k] for k in sorted(out)]


def assemble(
    kind: str,
    scored: dict[tuple[str, str], dict],
    terms_of: list[list],
    *,
    items: dict[str, Item],
    recorded: dict[frozenset[str], list[Recorded]],
    coverage: Coverage,
    ctx: Context,
    weights: Weights,
    used: set[str],
) -> list[dict]:
    """The candidates of one kind (sorted by score, then IRIs), each item they name added to ``used``.

    ``scored``: (left IRI, right IRI) -> score, components (unrounded) and period factor;
    ``terms_of``: each pair's heaviest shared terms, in the order of ``scored``."""
    w = weights.of(kind)
    names = list(w)
    lineage_of = coverage.lineages.of
    # the lineage pairs with a record at all: most pairs of a covered lineage are not one
    maps_from = coverage.mapped_pairs()
    covered = coverage.covered_pairs()
    themes = kind in ("question", "resolution")
    question, theme = kind == "question", kind == "theme"
    own_themes = ctx.of_attr("themes") if themes else {}
    own_res = ctx.of_attr("resolutions") if question else {}
    linked = ctx.linked
    empty: frozenset[str] = frozenset()
    out: list[dict] = []
    for ((li, ri), s), terms in zip(scored.items(), terms_of, strict=True):
        x, y = items[li], items[ri]
        lx, ly = lineage_of.get(li, li), lineage_of.get(ri, ri)
        recs = recorded.get(frozenset((li, ri))) if recorded else None
        comps = s["components"]
        mapped_by: list[Recorded] = []
        if "mapped" in comps:  # exact value, without the pair's own records
            if (lx, ly) in maps_from:
                comps["mapped"], mapped_by = coverage.mapped(x, y)
            else:
                comps["mapped"] = 0.0
            base = sum(w[n] * comps[n] for n in names)
            s["score"] = s["period_factor"] * lifted(base, comps["mapped"], weights.mapped)
        cand: dict[str, object] = {
            "left": li,
            "right": ri,
            "score": round(s["score"], 4),
            "components": {n: round(v, 4) for n, v in comps.items()},
            "period_factor": round(s["period_factor"], 4),
            "terms": terms,
        }
        used.add(li)
        used.add(ri)
        if themes:
            shared = own_themes.get(li, empty) & own_themes.get(ri, empty)
            cand["shared_themes"] = sorted(shared) if shared else []
            if shared:
                used.update(shared)
        if question:
            shared = own_res.get(li, empty) & own_res.get(ri, empty)
            cand["shared_resolutions"] = sorted(shared) if shared else []
            if shared:
                used.update(shared)
        else:
            common = linked.get(li, empty) & linked.get(ri, empty)
            cand["shared_items"] = sorted(common) if common else []
            if common:
                used.update(common)
        if theme:
            cand["shared_bodies"] = sorted(x.bodies & y.bodies)
        cand["lineage"] = [lx, ly]
        used.add(lx)
        used.add(ly)
        if mapped_by:
            cand["mapped_by"] = records(mapped_by)
        covering = [] if recs or frozenset((lx, ly)) not in covered else coverage.covering(li, ri)
        if covering:
            cand["covered_by"] = records(covering)
        for key in ("mapped_by", "covered_by"):
            for r in cand.get(key, ()):  # type: ignore[attr-defined]
                used.add(r["subject"])
                used.add(r["object"])
        if recs:
            cand["recorded"] = [
                {
                    "link": r.link,
                    "status": r.status,
                    "kind": r.kind,
                    "graph": r.graph,
                    "confidence": r.confidence,
                }
                for r in recs
            ]
        out.append(cand)
    out.sort(key=lambda c: (-c["score"], c["left"], c["right"]))  # type: ignore[operator]
    return out
