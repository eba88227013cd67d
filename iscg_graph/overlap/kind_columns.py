"""One kind's columns of the candidate index, written straight from its scored pairs' arrays.

`assemble` builds one dict per candidate and `columnar.columns_from_doc` encodes each again: at
1M, ~500k candidates, that per-candidate Python was about two fifths of the precompute. The same
values are computed over arrays: the mapped lift and the score (the same floating-point operations, in the
same order, on whole columns), the rounding (`json_texts.round4`), the order (-score, left IRI,
right IRI), the lineage groups. Only the texts of the evidence are joined per candidate, from
pieces made once (each IRI and term quoted once, each rounded value a table entry, each distinct
shared set once). The few candidates with records (recorded pairs, mapping and carry-over
evidence) take the per-candidate code `assemble` has. The result is the arrays `columns_from_doc`
makes of `assemble`'s candidates, byte for byte (tests/unit/test_kind_columns.py).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

import numpy as np

from .assemble import records
from .corpus import Item, Recorded
from .evidence import Context, shared_term_texts
from .json_texts import blob, dumps, quoted, round4
from .lineage import Coverage
from .weights import Weights, lifted

__all__ = ["Catalog", "KindColumns", "ScoredArrays", "kind_columns"]

_EMPTY: frozenset[str] = frozenset()


class Catalog:
    """Every item of the run numbered in IRI order (the index's rows are a subset in the same
    order), with each item's lineage number and quoted IRI, and which items the index names."""

    def __init__(self, items: dict[str, Item], lineage_of: dict[str, str]):
        self.items = items
        self.iris = sorted(items)
        self.number = {iri: g for g, iri in enumerate(self.iris)}
        self.quoted = [quoted(iri) for iri in self.iris]
        self.lineage = np.array(
            [self.number[lineage_of.get(iri, iri)] for iri in self.iris], dtype=np.int64
        ).reshape(-1)
        self.used = np.zeros(len(self.iris), dtype=np.bool_)

    def keys(self, pairs: Iterable[Collection[str]], *, ordered: bool) -> np.ndarray:
        """Pairs of item IRIs as numbers ``a * N + b`` (both orders unless ``ordered``; a pair
        naming anything but items is left out; a one-element pair is ``(a, a)``)."""
        n, number = len(self.iris), self.number
        out: list[int] = []
        for pair in pairs:
            members = list(pair)
            if len(members) == 1:
                members *= 2
            if len(members) != 2 or members[0] not in number or members[1] not in number:
                continue
            a, b = number[members[0]], number[members[1]]
            out.append(a * n + b)
            if not ordered:
                out.append(b * n + a)
        return np.unique(np.array(out, dtype=np.int64))

    def use(self, iris: Iterable[str]) -> None:
        """Mark the items among ``iris`` as named by the index (other IRIs are not rows)."""
        for iri in iris:
            g = self.number.get(iri)
            if g is not None:
                self.used[g] = True


@dataclass
class ScoredArrays:
    """One kind's scored pairs: items as `Catalog` numbers (oriented), the score, the unrounded
    components (a column per name, in ``names`` order) and the study-period factor."""

    left: np.ndarray
    right: np.ndarray
    score: np.ndarray
    comps: np.ndarray
    names: list[str]
    factor: np.ndarray


@dataclass
class KindColumns:
    """One kind's index columns in index order; ``left`` / ``right`` still `Catalog` numbers (the
    rows are known once every kind has named its items)."""

    left: np.ndarray
    right: np.ndarray
    score: np.ndarray
    recorded: np.ndarray
    covered: np.ndarray
    group: np.ndarray
    ev_off: np.ndarray
    ev_blob: np.ndarray


@dataclass
class Sources:
    """What the evidence is read from, besides the scores (as `assemble` takes it)."""

    recorded: dict[frozenset[str], list[Recorded]]
    coverage: Coverage
    ctx: Context
    weights: Weights
    aux: dict
    surface: dict[str, str]


def _shared(
    key: str, sets: dict[str, frozenset[str]], cat: Catalog, left: list[int], right: list[int], use: bool
) -> list[str]:
    """Each pair's shared set as ``,"key":[sorted quoted IRIs]``, each distinct set's text made once
    (and kept once in memory); its members marked as named by the index if ``use``."""
    head = f",{quoted(key)}:"
    none = head + "[]"
    by_number = [sets.get(iri, _EMPTY) for iri in cat.iris]
    texts: dict[frozenset[str], str] = {}
    out: list[str] = []
    for a, b in zip(left, right, strict=True):
        common = by_number[a] & by_number[b]
        if not common:
            out.append(none)
            continue
        text = texts.get(common)
        if text is None:
            text = texts[common] = head + "[" + ",".join(quoted(i) for i in sorted(common)) + "]"
        out.append(text)
    if use:
        for common in texts:
            cat.use(common)
    return out


def _field(key: str, texts: list[str]) -> list[str]:
    """``,"key":text`` for every text, each distinct text's field made once."""
    head = f",{quoted(key)}:"
    made: dict[str, str] = {}
    return [made.get(t) or made.setdefault(t, head + t) for t in texts]


def _record_texts(found: dict[int, list[Recorded]]) -> dict[int, str]:
    """`assemble.records` of each candidate's records as text, each distinct list encoded once (the
    records of a lineage pair are every carry-over's of that pair)."""
    made: dict[tuple[Recorded, ...], str] = {}
    out: dict[int, str] = {}
    for i, recs in found.items():
        key = tuple(recs)
        text = made.get(key)
        if text is None:
            text = made[key] = dumps(records(recs))
        out[i] = text
    return out


def _optional(key: str, n: int, texts: dict[int, str]) -> list[str]:
    """``,"key":text`` for the candidates that have the key, "" for the others."""
    head = f",{quoted(key)}:"
    out = [""] * n
    for i, text in texts.items():
        out[i] = head + text
    return out


def kind_columns(kind: str, scored: ScoredArrays, cat: Catalog, src: Sources) -> KindColumns:
    """The index columns of one kind's candidates (see the module docstring); marks the items they
    name in ``cat.used``."""
    n, size = len(scored.left), len(cat.iris)
    gl, gr = scored.left.astype(np.int64), scored.right.astype(np.int64)
    lx, ly = cat.lineage[gl], cat.lineage[gr]
    names = scored.names
    comps, score = scored.comps.copy(), scored.score
    coverage, weights = src.coverage, src.weights
    mapped_by: dict[int, list[Recorded]] = {}
    if "mapped" in names:  # exact value, without the pair's own records (as `assemble`)
        j = names.index("mapped")
        comps[:, j] = 0.0
        maybe = np.isin(lx * size + ly, cat.keys(coverage.mapped_pairs(), ordered=True))
        for i in np.flatnonzero(maybe).tolist():
            value, by = coverage.mapped(cat.items[cat.iris[gl[i]]], cat.items[cat.iris[gr[i]]])
            comps[i, j] = value
            if by:
                mapped_by[i] = by
        base = np.zeros(n)
        for name, w in weights.of(kind).items():  # sum() from 0, in the weights' order
            base = base + w * comps[:, names.index(name)]
        score = scored.factor * lifted(base, comps[:, j], weights.mapped)
    rec_hit = np.zeros(n, dtype=np.bool_)
    if src.recorded:
        rec_hit = np.isin(gl * size + gr, cat.keys(src.recorded, ordered=False))
    low, high = np.minimum(lx, ly), np.maximum(lx, ly)
    maybe_covered = ~rec_hit & np.isin(low * size + high, cat.keys(coverage.covered_pairs(), ordered=False))
    covered_by: dict[int, list[Recorded]] = {}
    for i in np.flatnonzero(maybe_covered).tolist():
        found = coverage.covering(cat.iris[gl[i]], cat.iris[gr[i]])
        if found:
            covered_by[i] = found
    recs: dict[int, list[Recorded]] = {}
    for i in np.flatnonzero(rec_hit).tolist():
        found_recs = src.recorded.get(frozenset((cat.iris[gl[i]], cat.iris[gr[i]])))
        if found_recs:
            recs[i] = found_recs

    rounded, _ = round4(score)
    order = np.lexsort((gr, gl, -rounded))
    left_l, right_l = gl.tolist(), gr.tolist()
    texts = _evidence_texts(kind, comps, names, scored.factor, left_l, right_l, lx, ly, cat, src,
                            mapped_by, covered_by, recs)
    ordered_texts = [texts[i] for i in order.tolist()]

    cat.used[gl] = True
    cat.used[gr] = True
    cat.used[lx] = True
    cat.used[ly] = True
    for found in list(mapped_by.values()) + list(covered_by.values()):
        for r in found:
            cat.use((r.subject, r.object))

    keys = (lx * size + ly)[order]
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    off, data = blob(ordered_texts)
    is_rec = np.zeros(n, dtype=np.bool_)
    is_rec[list(recs)] = True
    is_cov = np.zeros(n, dtype=np.bool_)
    is_cov[list(covered_by)] = True
    return KindColumns(
        left=gl[order],
        right=gr[order],
        score=rounded[order],
        recorded=is_rec[order],
        covered=is_cov[order],
        group=rank[inverse.reshape(-1)].astype(np.int32),
        ev_off=off,
        ev_blob=data,
    )


def _evidence_texts(
    kind: str,
    comps: np.ndarray,
    names: list[str],
    factor: np.ndarray,
    left: list[int],
    right: list[int],
    lx: np.ndarray,
    ly: np.ndarray,
    cat: Catalog,
    src: Sources,
    mapped_by: dict[int, list[Recorded]],
    covered_by: dict[int, list[Recorded]],
    recs: dict[int, list[Recorded]],
) -> list[str]:
    """Each candidate's evidence as the index's JSON text (keys sorted, as the encoder sorts the
    dict `assemble` makes), in the order of the scored pairs: one list of ``,"key":value`` fields
    per key, joined per candidate."""
    n = len(left)
    fields: dict[str, list[str]] = {}
    by_name = {name: round4(comps[:, c])[1] for c, name in enumerate(names)}
    pattern = f",{quoted('components')}:{{" + ",".join(f"{quoted(m)}:%s" for m in sorted(names)) + "}"
    ordered = [by_name[m] for m in sorted(names)]
    fields["components"] = [pattern % values for values in zip(*ordered, strict=True)]
    if covered_by:
        fields["covered_by"] = _optional("covered_by", n, _record_texts(covered_by))
    q, head = cat.quoted, f",{quoted('lineage')}:"
    fields["lineage"] = [f"{head}[{q[a]},{q[b]}]" for a, b in zip(lx.tolist(), ly.tolist(), strict=True)]
    if mapped_by:
        fields["mapped_by"] = _optional("mapped_by", n, _record_texts(mapped_by))
    fields["period_factor"] = _field("period_factor", round4(factor)[1])
    if recs:
        fields["recorded"] = _optional(
            "recorded",
            n,
            {
                i: dumps([
                    {"link": r.link, "status": r.status, "kind": r.kind, "graph": r.graph,
                     "confidence": r.confidence}
                    for r in found
                ])
                for i, found in recs.items()
            },
        )
    ctx = src.ctx
    if kind == "theme":
        bodies = {it.iri: frozenset(it.bodies) for it in cat.items.values() if it.bodies}
        fields["shared_bodies"] = _shared("shared_bodies", bodies, cat, left, right, use=False)
    if kind != "question":
        linked = {k: frozenset(v) for k, v in ctx.linked.items()}
        fields["shared_items"] = _shared("shared_items", linked, cat, left, right, use=True)
    if kind == "question":
        resolutions = ctx.of_attr("resolutions")
        fields["shared_resolutions"] = _shared("shared_resolutions", resolutions, cat, left, right, use=True)
    if kind in ("question", "resolution"):
        fields["shared_themes"] = _shared("shared_themes", ctx.of_attr("themes"), cat, left, right, use=True)
    row = src.aux["row"]
    aux_row = np.array([row.get(iri, -1) for iri in cat.iris], dtype=np.int64)
    ia, ib = aux_row[left], aux_row[right]
    if (ia < 0).any() or (ib < 0).any():
        raise ValueError("a scored item has no text vector")
    head = f",{quoted('terms')}:"
    fields["terms"] = [head + t for t in shared_term_texts(src.aux, src.surface, ia, ib)]
    # "components" sorts first and is always there: its leading comma is the one dropped
    columns = [fields[k] for k in sorted(fields)]
    return ["{" + "".join(parts)[1:] + "}" for parts in zip(*columns, strict=True)]
