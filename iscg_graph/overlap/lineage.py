"""Lineages: an item and the items that continue it in later study periods, taken as one.

Every four years an assembly sets up new Questions and study groups, most continuing earlier ones
(``iscg:continues``). The work does not change because its resource does, so overlap discovery
treats a Question and everything that continues it, transitively and in either direction, as one
*lineage* (the same for study groups). A lineage is named by its earliest member (first study
period, then IRI); an item nothing continues is a lineage of its own.

A recorded or reviewed mapping (any status but Rejected) *covers* its lineage pair: the pair's
versions in other study periods are not new overlaps but ``CarryOver`` candidates ("carry over?").
The same records are evidence for the score (`Coverage.mapped`): a pair whose lineages are mapped
in another period (1), or whose lineage is mapped to a working party or task group of the other
item, a study group (0.5), is more likely to overlap now. A pair's own records never
count for its own score.
"""

from __future__ import annotations

from dataclasses import dataclass

from .corpus import Corpus, Item, Recorded

__all__ = ["CARRY_OVER", "Coverage", "Lineages", "build_lineages"]

CARRY_OVER = "CarryOver"  # the status of a pair whose lineage pair is recorded in another period

_NEAR = 0.5  # a mapping to a working party counts half for its study group


@dataclass(frozen=True)
class Lineages:
    of: dict[str, str]  # item IRI -> lineage id (the IRI of its earliest member)
    members: dict[str, tuple[str, ...]]  # lineage id -> members, earliest first

    def lineage(self, iri: str) -> str:
        return self.of.get(iri, iri)


def build_lineages(items: dict[str, Item]) -> Lineages:
    """Connected components of ``iscg:continues`` among the items (a split or a merge joins them)."""
    parent = {iri: iri for iri in items}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for iri in sorted(items):
        for earlier in sorted(items[iri].continues):
            if earlier in parent:
                a, b = find(iri), find(earlier)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = {}
    for iri in items:
        groups.setdefault(find(iri), []).append(iri)

    def when(iri: str) -> tuple[int, str]:
        start = items[iri].start
        return (start if start is not None else 10_000, iri)

    of: dict[str, str] = {}
    members: dict[str, tuple[str, ...]] = {}
    for group in groups.values():
        ordered = tuple(sorted(group, key=when))
        members[ordered[0]] = ordered
        for iri in ordered:
            of[iri] = ordered[0]
    return Lineages(of, members)


class Coverage:
    """Which lineage pairs the register already covers, and the mapping evidence of a pair."""

    def __init__(self, corpus: Corpus, lineages: Lineages, recorded: dict[frozenset[str], list[Recorded]]):
        self.items = corpus.items
        self.lineages = lineages
        self._by_lineage: dict[frozenset[str], list[Recorded]] = {}
        # lineage -> lineage -> [(weight, record)]: 1 for the mapped lineages themselves, 0.5 for the
        # study group of a mapped working party / task group
        self._mapped_to: dict[str, dict[str, list[tuple[float, Recorded]]]] = {}
        for pair, recs in sorted(recorded.items(), key=lambda kv: sorted(kv[0])):
            live = [r for r in recs if r.status != "Rejected"]
            if len(pair) != 2 or not live or not all(i in self.items for i in pair):
                continue
            x, y = (self.items[i] for i in sorted(pair))
            a, b = lineages.lineage(x.iri), lineages.lineage(y.iri)
            self._by_lineage.setdefault(frozenset((a, b)), []).extend(live)
            for (one, w1), (other, w2) in ((u, v) for u in self._up(x) for v in self._up(y)):
                for first, second in ((one, other), (other, one)):
                    slot = self._mapped_to.setdefault(first, {}).setdefault(second, [])
                    slot.extend((w1 * w2, r) for r in live)

    def _up(self, it: Item) -> list[tuple[str, float]]:
        """The lineages a mapping of ``it`` speaks for: its own (1), its parent groups' (0.5)."""
        return [(self.lineages.lineage(it.iri), 1.0)] + [
            (self.lineages.lineage(p), _NEAR) for p in sorted(it.parents) if p in self.items
        ]

    def key(self, x: str, y: str) -> frozenset[str]:
        return frozenset((self.lineages.lineage(x), self.lineages.lineage(y)))

    def covering(self, x: str, y: str) -> list[Recorded]:
        """Records of *other* pairs of the lineage pair of (x, y): it is a carry-over if any."""
        pair = frozenset((x, y))
        return [r for r in self._by_lineage.get(self.key(x, y), []) if r.pair != pair]

    def mapping_lineages(self) -> frozenset[str]:
        """The lineages `mapped` can find anything for (as the first item's): others get (0, [])."""
        return frozenset(self._mapped_to)

    def mapped_pairs(self) -> frozenset[tuple[str, str]]:
        """(first lineage, second lineage) pairs `mapped` can find anything for: others get (0, [])."""
        return frozenset((a, b) for a, targets in self._mapped_to.items() for b in targets)

    def covered_pairs(self) -> frozenset[frozenset[str]]:
        """The covered lineage pairs (`key`'s form): `covering` finds nothing for any other pair."""
        return frozenset(self._by_lineage)

    def covered_lineages(self) -> frozenset[str]:
        """The lineages of every covered lineage pair: `covering` finds nothing for a pair of others."""
        return frozenset(lineage for key in self._by_lineage for lineage in key)

    def member_pairs(self) -> list[tuple[str, str]]:
        """Every pair of members of every covered lineage pair (all its versions, recorded or not)."""
        out = set()
        for key in self._by_lineage:
            a, b = sorted(key) if len(key) == 2 else (next(iter(key)),) * 2
            for x in self.lineages.members.get(a, (a,)):
                for y in self.lineages.members.get(b, (b,)):
                    if x != y:
                        out.add((min(x, y), max(x, y)))
        return sorted(out)

    def mapped(self, x: Item, y: Item) -> tuple[float, list[Recorded]]:
        """0-1: 1 when the lineages of x and y are mapped (by a record of another pair), 0.5 when one
        side's lineage is mapped to a working party of the other (a study group); with the records."""
        own = frozenset((x.iri, y.iri))
        targets = self._mapped_to.get(self.lineages.lineage(x.iri), {})
        found = [(w, r) for w, r in targets.get(self.lineages.lineage(y.iri), ()) if r.pair != own]
        if not found:
            return 0.0, []
        best = max(w for w, _ in found)
        return best, [r for w, r in found if w == best]

    def feature_rows(self, side: list[Item], *, left: bool) -> list[dict[str, float]]:
        """Sparse rows whose product gives the `mapped` value of a pair (before its own records are
        taken out): the left side lists the lineages its lineage is mapped to, the right side its
        own lineage."""
        rows: list[dict[str, float]] = []
        for it in side:
            lineage = self.lineages.lineage(it.iri)
            if left:
                targets = self._mapped_to.get(lineage, {})
                rows.append({t: max(w for w, _ in found) for t, found in targets.items()})
            else:
                rows.append({lineage: 1.0})
        return rows
