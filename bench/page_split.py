"""Where a first page's time goes, in one process: the API page (``LIMIT 1001``), the report's one
pass (``LIMIT 10001``, `paging.ONE_PASS_ROWS`) and the count (`paging.count_text`) of canned
queries, each serialised as SPARQL JSON as the service does, in CPU seconds of this process
(`time.process_time`) and wall seconds.

    python bench/page_split.py --store var/store-1m/oxigraph --memory
    python bench/page_split.py --store … --memory --queries questions-without-resolution --repeat 5
    python bench/page_split.py --store … --memory --queries question-duplicate-candidates \
        --text old/question-duplicate-candidates.rq

``--text`` times a query file in place of the catalogue's query of the same name (its file name),
e.g. a canned query's previous text from git, with the catalogue's values and paging.

The values bound are those of the service bench (`run.CANNED_VALUES`), or ``--bind name=value`` for
every timed query with that parameter (e.g. a short answer: ``--bind theme=resolution-areas/14``);
the machine's load average is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from run import CANNED_VALUES  # noqa: E402

from iscg_graph.query.catalog import QuerySpec, load_catalog, parse_query_file  # noqa: E402
from iscg_graph.query.paging import (  # noqa: E402
    DEFAULT_LIMIT,
    ONE_PASS_ROWS,
    PageRequest,
    count_text,
    page_text,
    run_counted_page,
    run_page,
)
from iscg_graph.vocab import DEFAULT_BASE  # noqa: E402

REPORT_ROWS = 50  # a report page (api/table_params.py)
DEFAULT_QUERIES = ("questions-without-resolution,sector-overlap-detail,list-study-groups,new-since,"
                   "question-duplicate-candidates")


def open_store(path: Path, memory: bool) -> ox.Store:
    store = ox.Store.read_only(str(path))
    if not memory:
        return store
    started = time.perf_counter()
    copy = ox.Store()
    copy.bulk_extend(store.quads_for_pattern(None, None, None))
    print(f"copied into memory in {time.perf_counter() - started:.1f} s", flush=True)
    return copy


def timed(store: ox.Store, text: str, substitutions: dict[str, str]) -> tuple[int, float, float]:
    """(bytes of the JSON answer, CPU seconds, wall seconds)."""
    cpu, wall = time.process_time(), time.perf_counter()
    subs = {ox.Variable(k): _term(v) for k, v in substitutions.items()}
    result = store.query(text, use_default_graph_as_union=True, substitutions=subs)
    body = result.serialize(format=ox.QueryResultsFormat.JSON)  # type: ignore[union-attr]
    return len(body or b""), time.process_time() - cpu, time.perf_counter() - wall


class StoreEngine:
    """What the paging functions ask of an engine, on one pyoxigraph store in this thread."""

    def __init__(self, store: ox.Store):
        self.store = store

    def run(self, sparql: str, *, media_type: str, substitutions: dict | None = None,
            timeout: float | None = None) -> SimpleNamespace:
        subs = {ox.Variable(k): _term(v) for k, v in (substitutions or {}).items()}
        result = self.store.query(sparql, use_default_graph_as_union=True, substitutions=subs)
        return SimpleNamespace(body=result.serialize(format=ox.QueryResultsFormat.JSON))  # type: ignore[union-attr]


def _term(nt: str) -> ox.NamedNode | ox.Literal:
    parsed = next(iter(ox.parse(f"<s:s> <p:p> {nt} .".encode(), format=ox.RdfFormat.N_TRIPLES)))
    return parsed.object  # type: ignore[return-value]


def _values(spec: QuerySpec, bound: dict[str, str]) -> dict[str, str]:
    """The service bench's values of the query, and those of ``--bind`` it has a parameter for."""
    names = {p.name for p in spec.params}
    return {**CANNED_VALUES.get(spec.name, {}), **{k: v for k, v in bound.items() if k in names}}


def service_path(engine: StoreEngine, spec: QuerySpec, report: bool,
                 bound: dict[str, str]) -> tuple[float, float]:
    """CPU and wall seconds of the first page as the service reads it: the API page (1000 rows)
    or a report page (50 rows and the total)."""
    cpu, wall = time.process_time(), time.perf_counter()
    values = _values(spec, bound)
    if report:
        run_counted_page(engine, spec, values, PageRequest(REPORT_ROWS, 0))  # type: ignore[arg-type]
    else:
        run_page(engine, spec, values, PageRequest(DEFAULT_LIMIT, 0))  # type: ignore[arg-type]
    return time.process_time() - cpu, time.perf_counter() - wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True, help="a pyoxigraph (RocksDB) store directory")
    parser.add_argument("--memory", action="store_true", help="copy the store into memory first")
    parser.add_argument("--queries", default=DEFAULT_QUERIES)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--text", type=Path, action="append", default=[],
                        help="a query file timed in place of the catalogue's query of its name")
    parser.add_argument("--bind", action="append", default=[], metavar="NAME=VALUE",
                        help="a parameter's value, for every timed query that has the parameter")
    args = parser.parse_args(argv)
    bound = dict(b.split("=", 1) for b in args.bind)
    store = open_store(args.store, args.memory)
    catalog = dict(load_catalog())
    for path in args.text:
        catalog[path.stem] = replace(parse_query_file(path), name=path.stem)
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("| query | part | bytes | CPU ms p50 | wall ms p50 |\n|---|---|---:|---:|---:|")
    for name in args.queries.split(","):
        spec = catalog[name]
        substitutions = spec.bind(_values(spec, bound), DEFAULT_BASE)
        parts = {
            f"API page ({DEFAULT_LIMIT + 1})": page_text(spec.text, DEFAULT_LIMIT + 1, 0),
            f"report pass ({ONE_PASS_ROWS + 1})": page_text(spec.text, ONE_PASS_ROWS + 1, 0),
            "count": count_text(spec.text, substitutions, pattern=spec.count_where),
        }
        for part, text in parts.items():
            runs = [timed(store, text, substitutions) for _ in range(args.repeat)]
            cpu = statistics.median(r[1] for r in runs) * 1000
            wall = statistics.median(r[2] for r in runs) * 1000
            print(f"| {name} | {part} | {runs[0][0]:,} | {cpu:.0f} | {wall:.0f} |", flush=True)
        engine = StoreEngine(store)
        variants = {"": spec} if spec.pages_by is None else {" by bucket": spec,
                                                            " whole": replace(spec, pages_by=None)}
        for label, variant in variants.items():
            for report in (False, True):
                runs2 = [service_path(engine, variant, report, bound) for _ in range(args.repeat)]
                part = ("report page (50 + total)" if report else f"API page ({DEFAULT_LIMIT})") + label
                cpu = statistics.median(r[0] for r in runs2) * 1000
                wall = statistics.median(r[1] for r in runs2) * 1000
                print(f"| {name} | service: {part} | – | {cpu:.0f} | {wall:.0f} |", flush=True)
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
