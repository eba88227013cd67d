"""The derived step of a curated write, bounded (`derived_delta.rederive`) vs the full recompute.

    python bench/derived_writes.py --triples 100k [--repeat 3]
    python bench/derived_writes.py --store var/store-1m-copy --full once   # a copy of a 1M build

Generates the data (bench/generate.py) into memory, adds its derived graph, then for each kind of
write (a theme link, a retirement, an exact match, a close match, the rejection of a mapping
between two items on themes; a Question's label, a theme's entry, a list's notation, a theme's
list, a Question's Sector, study period, study group and type, a group's parent, a mandate)
applies it to the store and times `rederive` (the write path's bounded update: index lookups plus
the aggregates of the touched themes) and, once per kind, the full recompute it replaces
(`derived.materialise_store`, the triples only, without the diff). The write alone, without its
RDFS closure; each is undone before the next. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate, iter_sizes  # noqa: E402

from iscg_graph.rdf.derived import derived_graph, materialise_store  # noqa: E402
from iscg_graph.rdf.derived_delta import rederive  # noqa: E402
from iscg_graph.vocab import DEFAULT_BASE  # noqa: E402

ISCG = "https://w3id.org/iscg/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
TRUE = ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
GRAPH = ox.NamedNode(derived_graph(DEFAULT_BASE))
WORK = ox.NamedNode(DEFAULT_BASE + "graph/bench-writes")
DEPRECATED = ox.NamedNode("http://www.w3.org/2002/07/owl#deprecated")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def _first(store: ox.Store, cls: str, n: int = 0) -> ox.NamedNode:
    typed = store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(ISCG + cls))
    found = sorted({q.subject.value for q in typed if isinstance(q.subject, ox.NamedNode)})
    return ox.NamedNode(found[n])


def writes(store: ox.Store) -> dict[str, list[ox.Quad]]:
    question = _first(store, "Question", 7)
    theme, other = _first(store, "Theme", 3), _first(store, "Theme", 40)
    mapping = next(q.subject for q in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(ISCG + "Mapping")))
    scheme, other_scheme = _first(store, "ThemeScheme", 0), _first(store, "ThemeScheme", 1)

    def new(predicate: str) -> ox.NamedNode:  # an object of ``predicate`` the Question lacks
        p = ox.NamedNode(ISCG + predicate)
        own = {q.object for q in store.quads_for_pattern(question, p, None)}
        found = sorted({q.object.value for q in store.quads_for_pattern(None, p, None)
                        if isinstance(q.object, ox.NamedNode) and q.object not in own})
        return ox.NamedNode(found[0])

    en = ox.Literal("a corrected label", language="en")
    in_group = store.quads_for_pattern(None, ox.NamedNode(ISCG + "studyGroup"), None)
    groups = sorted({q.object.value for q in in_group if isinstance(q.object, ox.NamedNode)})
    group, other_group = ox.NamedNode(groups[0]), ox.NamedNode(groups[-1])
    return {
        "Question label": [ox.Quad(question, LABEL, en, WORK)],
        "theme entry (skos:prefLabel)": [ox.Quad(theme, ox.NamedNode(SKOS + "prefLabel"), en, WORK)],
        "list notation": [ox.Quad(scheme, ox.NamedNode(SKOS + "notation"), ox.Literal("1.9"), WORK)],
        "list membership (skos:inScheme)": [ox.Quad(theme, ox.NamedNode(SKOS + "inScheme"), other_scheme,
                                                    WORK)],
        "Sector of a Question": [ox.Quad(question, ox.NamedNode(ISCG + "sector"), new("sector"), WORK)],
        "study period of a Question": [ox.Quad(question, ox.NamedNode(ISCG + "studyPeriod"),
                                               new("studyPeriod"), WORK)],
        "study group of a Question": [ox.Quad(question, ox.NamedNode(ISCG + "studyGroup"),
                                              new("studyGroup"), WORK)],
        "Question typed Resolution": [ox.Quad(question, RDF_TYPE, ox.NamedNode(ISCG + "Resolution"), WORK)],
        "parent group of a group": [ox.Quad(group, ox.NamedNode(ISCG + "parentGroup"), other_group, WORK)],
        "mandate of a group": [ox.Quad(_first(store, "Resolution", 5), ox.NamedNode(ISCG + "mandates"),
                                       group, WORK)],
        "theme link": [ox.Quad(question, ox.NamedNode(ISCG + "addressesTheme"), theme, WORK)],
        "retirement": [ox.Quad(question, DEPRECATED, TRUE, WORK)],
        "exact match": [ox.Quad(theme, ox.NamedNode(SKOS + "exactMatch"), other, WORK)],
        "close match": [ox.Quad(theme, ox.NamedNode(SKOS + "closeMatch"), other, WORK)],
        "rejection": [ox.Quad(mapping, ox.NamedNode(ISCG + "status"), ox.NamedNode(ISCG + "Rejected"), WORK)],
    }


def timed(step: Callable[[], object]) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--triples", default="10k", help="10k, 100k or a number (1m: minutes per full recompute)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default="", help="comma-separated write names (default: every write)")
    ap.add_argument("--store", type=Path, help="a COPY of a build (its oxigraph/ folder is written to: "
                    "each write is undone, the derived graph stays as the build left it) instead of "
                    "generating --triples")
    ap.add_argument("--full", choices=("each", "once", "none"), default="each",
                    help="time the full recompute after each kind of write, once, or never")
    args = ap.parse_args(argv)
    if args.store is not None:
        folder = args.store / "oxigraph" if (args.store / "oxigraph").is_dir() else args.store
        store = ox.Store(str(folder))
    else:
        out = io.StringIO()
        generate(next(iter_sizes(args.triples)), out)
        store = ox.Store()
        store.load(out.getvalue().encode(), format=ox.RdfFormat.N_QUADS)
        derived = materialise_store(store, GRAPH.value)
        store.extend(ox.Quad(t.subject, t.predicate, t.object, GRAPH) for t in derived)
    print(f"{len(store)} quads, derived graph included", file=sys.stderr)
    timed_full = False
    rows = ["| write | bounded ms (p50) | derived quads changed | full recompute ms |",
            "|---|---:|---:|---:|"]
    only = {n.strip() for n in args.only.split(",") if n.strip()}
    for name, quads in writes(store).items():
        if only and name not in only:
            continue
        times, changed = [], 0
        for _ in range(args.repeat):
            for undo in (False, True):
                change = ((), tuple(quads)) if not undo else (tuple(quads), ())
                for q in quads:
                    store.remove(q) if undo else store.add(q)
                start = time.perf_counter()
                result = rederive(store, GRAPH.value, change)
                elapsed = time.perf_counter() - start
                if result is None:
                    raise SystemExit(f"{name}: not bounded (the full recompute would run)")
                if not undo:
                    times.append(elapsed)
                    changed = len(result[0]) + len(result[1])
        full = "-"
        if args.full == "each" or (args.full == "once" and not timed_full):
            for q in quads:
                store.add(q)
            full = f"{timed(lambda: materialise_store(store, GRAPH.value)) * 1e3:.0f}"
            timed_full = True
            for q in quads:
                store.remove(q)
        rows.append(f"| {name} | {statistics.median(times) * 1e3:.1f} | {changed} | {full} |")
    print("\n".join(rows))
    print(f"\nLoad average (1 min) at the end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
