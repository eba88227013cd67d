"""Candidate overlaps: how long precompute takes, and how fast /api/candidates answers.

    python bench/candidates.py                      # real data (built into a temp store) + ~1M synthetic
    python bench/candidates.py --store var/store    # an already built store instead of the real data
    python bench/candidates.py --synthetic FILE.nq  # another synthetic graph (e.g. from bench/generate.py)
    python bench/candidates.py --copies 10          # a smaller synthetic graph
    python bench/candidates.py --precompute STORE_DIR  # only the precompute, by step, wall and CPU
    python bench/candidates.py --precompute STORE_DIR --document  # the same, through the document
    python bench/candidates.py --precompute STORE_DIR --on-disk  # the on-disk store, as the build reads it
    python bench/candidates.py --precompute STORE_DIR --threads 1  # one thread (default: the cores, up to 4)
    python bench/candidates.py --review STORE_DIR   # review decisions through the app on a built store
                                                   # (writes into it: give a copy), timed by step
    python bench/candidates.py --review STORE_DIR --working-copy  # the same, write overlay off
    python bench/candidates.py --review STORE_DIR --cold          # the same, write path not warmed first

Without --synthetic the ~1M-triple graph is made here by replicating the real graph N times: every
IRI under ``id/`` except the Sectors gets a copy suffix, and each copy drops a few title words
(deterministically), so the copies are near-duplicates across and within Sectors, the worst case for
candidate generation. Prints one table: precompute seconds, candidates kept, index size and load
time (and the parse time of the same candidates as one JSON document, the previous format), then
p50/p99 of the in-process lookup and of GET /api/candidates through the ASGI app.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import pyoxigraph as ox  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from api.routers import candidates as router  # noqa: E402
from api.settings import Settings  # noqa: E402
from iscg_graph.overlap.index import CandidateIndex  # noqa: E402
from iscg_graph.overlap.scoring import CANDIDATES_FILE, build_candidates, precompute  # noqa: E402
from iscg_graph.rdf.store import SNAPSHOT, EmbeddedStore  # noqa: E402

BASE = "https://w3id.org/iscg/id/"
TITLE = "http://purl.org/dc/terms/title"


def real_store(tmp: Path) -> Path:
    from iscg_graph.build.pipeline import build

    path = tmp / "real" / "store"
    build(path, post_build=[])
    return path


def synthetic_nquads(snapshot: Path, copies: int, seed: int = 7) -> bytes:
    """The real graph `copies` times over, IRIs suffixed per copy, titles lightly perturbed."""
    rng = random.Random(seed)
    quads = list(ox.parse(path=str(snapshot), format=ox.RdfFormat.N_QUADS))
    out = ox.Store()

    def rename(term, k):  # type: ignore[no-untyped-def]
        if (
            isinstance(term, ox.NamedNode)
            and term.value.startswith(BASE)
            and not term.value.startswith(BASE + "sector/")
        ):
            return ox.NamedNode(f"{term.value}-c{k}")
        return term

    batch = []
    for k in range(copies):
        for q in quads:
            obj = rename(q.object, k)
            if k and q.predicate.value == TITLE and isinstance(obj, ox.Literal):
                words = obj.value.split()
                if len(words) > 3:
                    words.pop(rng.randrange(len(words)))
                obj = (
                    ox.Literal(" ".join(words), language=obj.language)
                    if obj.language
                    else ox.Literal(" ".join(words))
                )
            batch.append(ox.Quad(rename(q.subject, k), q.predicate, obj, q.graph_name))
    out.extend(batch)
    return out.dump(format=ox.RdfFormat.N_QUADS) or b""


def percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def bench(name: str, store_dir: Path, rounds: int) -> dict[str, object]:
    store = EmbeddedStore.open_snapshot(store_dir)
    t = time.perf_counter()
    summary = precompute(store, store_dir)
    pre = time.perf_counter() - t
    t = time.perf_counter()
    index = CandidateIndex.load(store_dir)
    load = time.perf_counter() - t
    header = json.loads((store_dir / CANDIDATES_FILE).read_bytes())
    size = (store_dir / CANDIDATES_FILE).stat().st_size + (store_dir / header["data"]).stat().st_size
    # the previous format for comparison: the same document as one JSON file, and its parse time
    doc = build_candidates(store)
    doc["data_version"] = store.meta.data_version
    legacy = store_dir / "candidates-document.json"
    legacy.write_text(json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")), "utf-8")
    t = time.perf_counter()
    json.loads(legacy.read_text("utf-8"))
    legacy_load = time.perf_counter() - t
    legacy_size = legacy.stat().st_size
    legacy.unlink()

    first = index.query("question", limit=1).candidates
    item = first[0].left["iri"] if first else None
    cases = [
        ("question top 50", {"kind": "question", "limit": 50}),
        ("question ITU-D, min 0.3", {"kind": "question", "sector": "ITU-D", "min_score": 0.3, "limit": 50}),
        ("question one item", {"kind": "question", "item": item, "limit": 20}),
        ("theme top 50", {"kind": "theme", "limit": 50}),
        ("question top 1000 +recorded", {"kind": "question", "limit": 1000, "include_recorded": True}),
        # grouped by lineage pair: the selection is grouped and ordered from the columns per request
        ("question lineage view top 50", {"kind": "question", "limit": 50, "group": "lineage"}),
    ]
    app = FastAPI()
    app.state.settings = Settings(store_path=store_dir)
    app.state.store = store
    app.include_router(router.router)
    client = TestClient(app)
    client.get("/api/candidates", params={"limit": 1})  # loads the index once
    rows = []
    for label, params in cases:
        lookup, http = [], []
        for _ in range(rounds):
            t = time.perf_counter()
            if params.get("group") == "lineage":
                index.lineages("question", today=date.today(), limit=50)
            else:
                index.query(**params)  # type: ignore[arg-type]
            lookup.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            r = client.get("/api/candidates", params={k: v for k, v in params.items() if v is not None})
            http.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, r.text
        rows.append((label, *percentiles(lookup), *percentiles(http)))
    return {
        "name": name,
        "triples": len(store),
        "precompute": pre,
        "counts": summary.counts,
        "size": size,
        "load": load,
        "legacy_size": legacy_size,
        "legacy_load": legacy_load,
        "rows": rows,
    }


def bench_precompute(
    store_dir: Path,
    *,
    document: bool = False,
    on_disk: bool = False,
    threads: int | None = None,
    collector: bool = False,
) -> None:
    """The precompute of a built store (its snapshot, in memory), step by step: wall and CPU seconds
    (CPU time is what a quiet machine's wall time would be, near enough), with the load average.
    ``document``: the candidates as a document first, then its columns (`columns_from_doc`, the
    precompute before the index was written from arrays), for comparison; the same index.
    ``on_disk``: the on-disk store opened read-only instead, as the build step reads it (its
    queries are slower there than on the in-memory copy). As the build runs it: in
    `precompute_threads` threads (``threads``: another number; the document path runs in one) with
    the cyclic garbage collector paused (``collector``: left on, as the service's background
    precompute runs)."""
    import os

    from iscg_graph.overlap.columnar import columns_from_doc, write
    from iscg_graph.overlap.corpus import load_corpus
    from iscg_graph.overlap.scoring import build_columns, collector_paused, precompute_threads

    threads = precompute_threads() if threads is None else threads
    print(f"load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1/5/15 min) at the start; "
          f"{threads} thread(s), collector {'on' if collector else 'paused'}")
    store = EmbeddedStore.open_read_only(store_dir) if on_disk else EmbeddedStore.open_snapshot(store_dir)
    steps: list[tuple[str, float, float]] = []

    def step(label: str, began: tuple[float, float]) -> tuple[float, float]:
        now = (time.perf_counter(), time.process_time())
        steps.append((label, now[0] - began[0], now[1] - began[1]))
        return now

    with collector_paused(not collector):
        t = step("(open the store)", (time.perf_counter(), time.process_time()))
        t = (time.perf_counter(), time.process_time())
        corpus = load_corpus(store)
        t = step("corpus (SPARQL)", t)
        if document:
            doc = build_candidates(corpus)
            t = step("features, scores, top k, evidence (document)", t)
            doc["data_version"] = store.meta.data_version
            columns = columns_from_doc(doc)
            t = step("columns of the document", t)
            counts = {k: len(v) for k, v in doc["kinds"].items()}
        else:
            columns, _summary = build_columns(corpus, data_version=store.meta.data_version, threads=threads)
            t = step("features, scores, top k, evidence columns", t)
            counts = {k: len(columns[f"{k}.score"]) for k in columns.header["kinds"]}
        with tempfile.TemporaryDirectory(prefix="candidates-") as out:
            write(columns, Path(out))
            # the index is deterministic: equal digests mean byte-identical candidates (before/after a change)
            digest = hashlib.sha256()
            for f in sorted(Path(out).iterdir()):
                digest.update(f.name.encode() + f.read_bytes())
        step("columnar index written", t)
    print(f"\n## precompute: {len(store):,} quads, {len(corpus.items):,} items, kept {counts}")
    print(f"load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1/5/15 min) at the end")
    print(f"index SHA-256 {digest.hexdigest()}")
    print("| step | wall s | CPU s |\n|---|---:|---:|")
    for label, wall, cpu in steps[1:]:
        print(f"| {label} | {wall:.1f} | {cpu:.1f} |")
    print(f"| total | {sum(s[1] for s in steps[1:]):.1f} | {sum(s[2] for s in steps[1:]):.1f} |")


class _Steps:
    """Wall time per step of the write path, by wrapping module attributes for the bench only."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu: dict[str, float] = {}  # the calling thread's CPU seconds (not the store's own threads)
        self._undo: list[tuple[object, str, object]] = []
        self.lookups = 0  # the store lookups of the focus validations' reads (`count_lookups`)

    def count_lookups(self, owner: object, name: str) -> None:
        """Count the lookups ``owner.name(view, ...)`` makes on its store view (`StoreView.lookups`)."""
        original = getattr(owner, name)

        def counted(view, *args, **kwargs):  # type: ignore[no-untyped-def]
            before = getattr(view, "lookups", 0)
            try:
                return original(view, *args, **kwargs)
            finally:
                self.lookups += getattr(view, "lookups", 0) - before

        setattr(owner, name, counted)
        self._undo.append((owner, name, original))

    def wrap(self, owner: object, name: str, label: str) -> None:
        original = getattr(owner, name)

        def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
            t, c = time.perf_counter(), time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - t
                self.cpu[label] = self.cpu.get(label, 0.0) + time.thread_time() - c

        setattr(owner, name, timed)
        self._undo.append((owner, name, original))

    def restore(self) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)


def bench_review(store_dir: Path, rounds: int, working_copy: bool = False, cold: bool = False) -> None:
    """POST /api/candidates/review through the router on a built store (written to: give a copy),
    `rounds` accept decisions on new question candidates; prints each request's time by step.
    ``working_copy``: with the write overlay switched off (every write on a copy of the dataset).
    ``cold``: the write path not warmed first (the service warms it at start-up, `warm_up`), so the
    first decision builds the shapes' reach and the engine's program itself."""
    from api import errors
    from api import writes as api_writes
    from iscg_graph.curation import writes
    from iscg_graph.overlap import review
    from iscg_graph.rdf import store as store_module

    writes.WritePath.overlay = not working_copy

    token = "bench-review-token"
    t = time.perf_counter()
    store = EmbeddedStore.open_writable(store_dir)
    opened = time.perf_counter() - t
    app = FastAPI()
    errors.install(app)
    app.state.settings = Settings(review_token=token, store_path=store_dir)
    app.state.store = store
    app.include_router(router.router)
    warmed = ""
    if not cold:  # as the service's lifespan does on opening a store (api.main): here waited for
        from iscg_graph.curation import warm_up

        t, cpu = time.perf_counter(), time.process_time()
        thread = warm_up.start(store, app.state.settings.base_iri)
        if thread is not None:
            thread.join()
        wall, cpu = (time.perf_counter() - t) * 1000, (time.process_time() - cpu) * 1000
        warmed = f", write path warmed first: {wall:.0f} ms wall, {cpu:.0f} ms process CPU"
    client = TestClient(app)
    assert client.get("/api/candidates", params={"limit": 1}).status_code == 200  # maps the index
    index = CandidateIndex.load(store_dir)
    pairs = [(c.left["iri"], c.right["iri"]) for c in index.query("question", limit=rounds).candidates]
    path = "working copy" if working_copy else "overlay"
    print(f"\n## review decisions ({path}): {len(store):,} quads, store opened in {opened:.1f} s{warmed}")
    print("| request | total ms | CPU ms | " + " | ".join(STEPS) + " | other ms |")
    print("|---|---:|---:|" + "---:|" * (len(STEPS) + 1))
    mappings: list[str] = []
    for n, (left, right) in enumerate(pairs, 1):
        steps = _write_steps(writes, store_module)
        steps.wrap(api_writes, "prepare_decision", "decision")
        steps.wrap(review.DecisionWrite, "__call__", "record")
        steps.wrap(router, "record_in_index", "index")
        body = {
            "left": left,
            "right": right,
            "decision": "accept",
            "relation": "overlap",
            "reviewer": "Bench",
        }
        t, cpu = time.perf_counter(), time.process_time()
        r = client.post("/api/candidates/review", json=body, headers={"Authorization": f"Bearer {token}"})
        total, cpu = (time.perf_counter() - t) * 1000, (time.process_time() - cpu) * 1000
        steps.restore()
        assert r.status_code == 201, r.text
        if "commit" in steps.seconds:  # the update itself, without the snapshot it ends with
            steps.seconds["commit"] -= steps.seconds.get("snapshot", 0.0)
        parts = [steps.seconds.get(s, 0.0) * 1000 for s in STEPS]
        cells = " | ".join(f"{v:.0f}" for v in parts)
        print(f"| {n} | {total:.0f} | {cpu:.0f} | {cells} | {total - sum(parts):.0f} |", flush=True)
        _cpu_row(f"{n} CPU", steps, cpu)
        _durability_row(f"{n} durability", steps)
        _validation_row(f"{n} validation", steps)
        mappings.append(r.json()["mapping"])
    _bench_mapping_edits(app, mappings, writes, store_module)


def _cpu_row(name: str, steps: _Steps, cpu: float) -> None:
    """The same request's CPU milliseconds by step (commit without its snapshot, as above)."""
    if "commit" in steps.cpu:
        steps.cpu["commit"] -= steps.cpu.get("snapshot", 0.0)
    parts = [steps.cpu.get(s, 0.0) * 1000 for s in STEPS]
    cells = " | ".join(f"{v:.0f}" for v in parts)
    print(f"| {name} | | {cpu:.0f} | {cells} | {cpu - sum(parts):.0f} |", flush=True)


def _write_steps(writes: Any, store_module: Any) -> _Steps:
    """The curated write path's steps, each timed under its column (both closures, the whole one
    and the overlay's, under "closure")."""
    steps = _Steps()
    steps.wrap(writes.WritePath, "working_copy", "copy")
    steps.wrap(writes, "_reentail", "closure")
    steps.wrap(writes, "reentail", "closure")
    steps.wrap(writes, "_rederive", "derived")
    steps.wrap(writes, "diff", "diff")
    steps.wrap(writes.WritePath, "_graph_of", "rdflib graph")
    steps.wrap(writes.WritePath, "check", "validation")
    steps.wrap(store_module.EmbeddedStore, "apply_update", "commit")
    steps.wrap(store_module.EmbeddedStore, "_after_write", "snapshot")
    # the parts of "snapshot" (not in STEPS: printed on their own row, see `_durability_row`)
    steps.wrap(store_module.deltas, "write_delta", "delta file")
    steps.wrap(store_module, "write_meta", "meta")
    # the parts of "validation" (printed on their own row, see `_validation_row`)
    from iscg_graph.curation import incremental

    steps.wrap(incremental, "focus", "focus nodes")
    steps.wrap(incremental, "neighbourhood", "neighbourhood")
    steps.wrap(incremental, "validate_triples", "engine")
    steps.count_lookups(incremental, "validate_focus")
    return steps


def _validation_row(name: str, steps: _Steps) -> None:
    """The validation step's CPU (and wall) milliseconds on the request thread split: the focus nodes
    named, their neighbourhood read from the store, the engine (its input, the run, the report); and
    the store lookups the neighbourhood reads made (the focus validations' own, with the
    ``rdfs:subClassOf`` read)."""
    parts = ("focus nodes", "neighbourhood", "engine")
    cpu = [steps.cpu.get(k, 0.0) * 1000 for k in ("validation", *parts)]
    wall = [steps.seconds.get(k, 0.0) * 1000 for k in ("validation", *parts)]
    print(f"| {name} | CPU {cpu[0]:.0f} ms (wall {wall[0]:.0f}) = focus nodes {cpu[1]:.0f} ({wall[1]:.0f}) "
          f"+ neighbourhood {cpu[2]:.0f} ({wall[2]:.0f}) + engine {cpu[3]:.0f} ({wall[3]:.0f}) "
          f"+ other {cpu[0] - sum(cpu[1:]):.0f}; neighbourhood store lookups {steps.lookups} |", flush=True)


def _durability_row(name: str, steps: _Steps) -> None:
    """The snapshot step's wall milliseconds split: the delta file, meta.json, and the rest (the
    store's durability: its flush, or the sync of its write-ahead log)."""
    whole = steps.seconds.get("snapshot", 0.0) * 1000
    delta, meta = (steps.seconds.get(k, 0.0) * 1000 for k in ("delta file", "meta"))
    print(f"| {name} | snapshot {whole:.0f} ms wall = store durability {whole - delta - meta:.0f} "
          f"+ delta file {delta:.0f} + meta.json {meta:.0f} |", flush=True)


def _bench_mapping_edits(app: FastAPI, mappings: list[str], writes: Any, store_module: Any) -> None:
    """The editors' form write on each decision just recorded (relation kind, confidence): a change
    that reaches no derived statement, by step."""
    from api.writes import app_write_path
    from iscg_graph.curation.mapping_edits import edit_mapping

    path = app_write_path(app)
    for n, iri in enumerate(mappings, 1):
        steps = _write_steps(writes, store_module)
        t, cpu = time.perf_counter(), time.process_time()
        record = path.apply(lambda work, iri=iri: edit_mapping(  # type: ignore[misc]
            work, iri, relation_kind="TopicalOverlap", justification="ManualMappingCuration",
            confidence="Unconfirmed", status="Accepted"), writes.Author("Bench", "bench", "bench", "form"))
        total, cpu = (time.perf_counter() - t) * 1000, (time.process_time() - cpu) * 1000
        steps.restore()
        assert record is not None
        if "commit" in steps.seconds:
            steps.seconds["commit"] -= steps.seconds.get("snapshot", 0.0)
        parts = [steps.seconds.get(s, 0.0) * 1000 for s in STEPS]
        cells = " | ".join(f"{v:.0f}" for v in parts)
        print(f"| edit {n} | {total:.0f} | {cpu:.0f} | {cells} | {total - sum(parts):.0f} |", flush=True)
        _cpu_row(f"edit {n} CPU", steps, cpu)
        _durability_row(f"edit {n} durability", steps)


STEPS = [
    "decision",
    "record",
    "copy",
    "closure",
    "derived",
    "diff",
    "rdflib graph",
    "validation",
    "commit",
    "snapshot",
    "index",
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", type=Path, help="a built store (default: build the real data into a temp dir)")
    ap.add_argument(
        "--synthetic", type=Path, help="N-Quads of a synthetic graph (default: replicate the real one)"
    )
    ap.add_argument(
        "--copies", type=int, default=53, help="replicas of the real graph (53 x ~19k = ~1M triples)"
    )
    ap.add_argument("--rounds", type=int, default=50)
    ap.add_argument("--precompute", type=Path, help="time only the precompute of this built store, by step")
    ap.add_argument("--document", action="store_true",
                    help="with --precompute: a document, then its columns (the earlier path)")
    ap.add_argument("--on-disk", action="store_true",
                    help="with --precompute: read the on-disk store (read-only), as the build step does")
    ap.add_argument("--threads", type=int, help="--precompute: its threads (default: the cores, at most 4)")
    ap.add_argument("--collector", action="store_true",
                    help="--precompute: the garbage collector left on (the service's background run)")
    ap.add_argument("--review", type=Path, help="time review decisions on this built store (it is written)")
    ap.add_argument("--working-copy", action="store_true",
                    help="with --review: the write overlay off (a copy of the dataset per write)")
    ap.add_argument("--cold", action="store_true",
                    help="with --review: do not warm the write path first (as a process that never did)")
    args = ap.parse_args()
    if args.review:
        bench_review(args.review, min(args.rounds, 5), args.working_copy, args.cold)
        return
    if args.precompute:
        bench_precompute(args.precompute, document=args.document, on_disk=args.on_disk, threads=args.threads,
                         collector=args.collector)
        return
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        real = args.store or real_store(tmp)
        results = [
            bench("real data", real if args.store is None else _copy(real, tmp / "given"), args.rounds)
        ]
        syn = tmp / "synthetic"
        syn.mkdir()
        data = (
            args.synthetic.read_bytes() if args.synthetic else synthetic_nquads(real / SNAPSHOT, args.copies)
        )
        (syn / SNAPSHOT).write_bytes(data)
        results.append(bench("synthetic", syn, args.rounds))
    for r in results:
        print(f"\n## {r['name']}: {r['triples']:,} triples")
        print(
            f"precompute {r['precompute']:.1f} s; candidates kept {r['counts']}; "
            f"columnar index {r['size'] / 1e6:.1f} MB, loaded (mapped) in {r['load'] * 1000:.1f} ms; "
            f"the same as one JSON document: {r['legacy_size'] / 1e6:.1f} MB, "
            f"json.loads alone {r['legacy_load'] * 1000:.0f} ms"
        )
        print("| request | lookup p50 ms | lookup p99 ms | GET /api/candidates p50 ms | p99 ms |")
        print("|---|---|---|---|---|")
        for label, lp50, lp99, hp50, hp99 in r["rows"]:  # type: ignore[attr-defined]
            print(f"| {label} | {lp50:.2f} | {lp99:.2f} | {hp50:.1f} | {hp99:.1f} |")


def _copy(src: Path, dst: Path) -> Path:
    """Benchmark a given store on a copy of its snapshot (precompute writes candidates.json)."""
    dst.mkdir(parents=True)
    (dst / SNAPSHOT).write_bytes((src / SNAPSHOT).read_bytes())
    meta = src / "meta.json"
    if meta.exists():
        (dst / "meta.json").write_bytes(meta.read_bytes())
    return dst


if __name__ == "__main__":
    main()
