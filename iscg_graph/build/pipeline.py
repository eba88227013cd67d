"""Sources → validated dataset → store, atomically.

``build(data_dir, store_path)``:

1. parse the ontology and convert every data table (``iscg_graph.build.tables``) into one dataset, a named
   graph per source folder;
2. validate the union against the SHACL shapes; any violation raises `ValidationFailed` and nothing
   is written;
3. write a complete new store directory next to the old one (pyoxigraph on disk, N-Quads snapshot,
   meta.json, then the post-build artefacts: candidate index, dumps, dataset description);
   Review decisions (``graph/reviews``) are not source tables: they are carried over from the
   store being replaced before the derived artefacts are computed;
4. swap it in by replacing the ``store_path`` symlink in one ``rename`` — readers see the old store
   or the new one, never a half-written one. The previous build is kept (a running service may
   still have it open); older ones are removed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import rdflib

from ..curation.replay import ReplayReport
from ..errors import SourceError, StoreError, ValidationFailed
from ..rdf.store import DB, SNAPSHOT, EmbeddedStore, StoreMeta, count_graphs, write_meta
from ..vocab import DEFAULT_BASE

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO / "data"
DEFAULT_ONTOLOGY = REPO / "ontology" / "iscg.ttl"
DEFAULT_STORE = Path("var/store")
BASE = DEFAULT_BASE  # the public base a build mints under unless its caller gives another

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): called as the build advances."""

PostBuild = Callable[[EmbeddedStore, Path], None]


@dataclass(frozen=True)
class BuildResult:
    store_path: Path
    build_dir: Path
    meta: StoreMeta
    warnings: int
    replay: ReplayReport | None = None  # the service's changes replayed on this build


def _noop(stage: str, done: int, total: int) -> None:
    return None


def load_sources(data_dir: Path = DEFAULT_DATA, ontology: Path = DEFAULT_ONTOLOGY,  # type: ignore[no-untyped-def]
                 base: str = DEFAULT_BASE):
    """The ontology plus every data table, as (rdflib.Dataset, origins: subject IRI → 'file:row')."""
    from ..rdf.org import derive_org
    from .tables import load_tables  # the converter owns the table formats

    tables = load_tables(data_dir, base)
    dataset: rdflib.Dataset = tables.dataset
    derive_org(dataset)  # the W3C ORG statements the ontology claims, from the tables' own links
    onto = dataset.graph(rdflib.URIRef(f"{base}graph/ontology"))
    try:
        onto.parse(ontology, format="turtle")
    except Exception as exc:  # rdflib raises many kinds
        raise SourceError(f"cannot parse the ontology: {exc}", path=str(ontology)) from exc
    return dataset, {str(k): v for k, v in tables.origins.items()}


def add_entailment(dataset: rdflib.Dataset, base: str = DEFAULT_BASE) -> int:
    """Put the RDFS closure of the validated sources into the dataset's entailment graph (after
    validation: the shapes judge what was asserted). Returns the number of entailed triples."""
    from ..rdf.entailment import entailment_graph, materialise

    graph = entailment_graph(base)
    closure = materialise(dataset, graph)
    target = dataset.graph(rdflib.URIRef(graph))
    for triple in closure:
        target.add(triple)
    return len(closure)


def union_graph(dataset: rdflib.Dataset) -> rdflib.Graph:
    union = rdflib.Graph()
    for s, p, o, _g in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


def canonical_nquads(dataset: rdflib.Dataset) -> bytes:
    """Sorted N-Quads: the same sources always give the same bytes (and data version)."""
    text = dataset.serialize(format="nquads")
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_store(
    path: Path, nquads: bytes, data_version: str, *, built_at: str | None = None
) -> EmbeddedStore:
    """Create a complete store directory at ``path`` (which must not exist) from N-Quads."""
    if path.exists():
        raise StoreError(f"{path} already exists")
    path.mkdir(parents=True)
    inner = ox.Store(str(path / DB))
    inner.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
    inner.flush()
    (path / SNAPSHOT).write_bytes(nquads)
    graphs = count_graphs(inner)
    meta = StoreMeta(
        data_version=data_version,
        built_at=built_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        generation=0,
        triples=sum(graphs.values()),
        graphs=graphs,
    )
    write_meta(path, meta)
    return EmbeddedStore(inner, path=path, meta=meta)


def _post_build_steps(base: str = DEFAULT_BASE) -> list[PostBuild]:
    """Artefacts derived from a freshly loaded store (candidate index, dumps, dataset description)."""
    from ..query.profile import write_profile

    steps: list[PostBuild] = [write_profile]  # what each class's instances use, for the docs
    try:
        from ..overlap.scoring import precompute
    except ImportError:
        pass
    else:
        steps.append(lambda store, d: (precompute(store, d), None)[1])
    try:
        from .publish import publish
    except ImportError:
        pass
    else:
        steps.append(lambda store, d: publish(store, d, base))
    return steps


def swap_in(store_path: Path, build_dir: Path, keep: int = 2) -> None:
    """Point ``store_path`` (a symlink) at ``build_dir`` atomically; prune old builds that no running
    process holds a lease on (`iscg_graph.rdf.leases`: a service reloads on its own schedule)."""
    from ..rdf.leases import in_use

    store_path.parent.mkdir(parents=True, exist_ok=True)
    if store_path.exists() and not store_path.is_symlink():
        raise StoreError(
            f"{store_path} is a real directory, not a store link made by `iscg build`; move it away"
        )
    tmp_link = store_path.with_name(f".{store_path.name}.link-{os.getpid()}")
    tmp_link.unlink(missing_ok=True)
    os.symlink(os.path.relpath(build_dir, store_path.parent), tmp_link)
    os.replace(tmp_link, store_path)
    builds = sorted(p for p in build_dir.parent.iterdir() if p.is_dir())
    for old in builds[:-keep]:
        if old.resolve() != build_dir.resolve() and not in_use(old):
            shutil.rmtree(old, ignore_errors=True)


def builds_dir(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".builds")


def build(
    store_path: Path = DEFAULT_STORE,
    data_dir: Path = DEFAULT_DATA,
    *,
    ontology: Path = DEFAULT_ONTOLOGY,
    progress: Progress = _noop,
    post_build: list[PostBuild] | None = None,
    base: str = DEFAULT_BASE,
) -> BuildResult:
    """Validate the sources and, only if they conform, replace the store at ``store_path``.

    ``base`` is the public base IRI instances, graphs, reviews and the dataset description are
    minted under (the service must be run with the same ``base_iri``)."""
    from ..rdf.validation import validate

    progress("read sources", 0, 1)
    dataset, origins = load_sources(data_dir, ontology, base)
    progress("read sources", 1, 1)

    progress("validate", 0, 1)
    report = validate(union_graph(dataset))
    progress("validate", 1, 1)
    if not report.conforms:
        raise ValidationFailed(report, origins)

    progress("entail", 0, 1)
    add_entailment(dataset, base)
    from ..rdf.derived import add_to_dataset

    add_to_dataset(dataset, base)  # what the overlap queries need, derived once (rdf/derived.py)
    progress("entail", 1, 1)

    nquads = canonical_nquads(dataset)
    data_version = hashlib.sha256(nquads).hexdigest()[:12]
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    build_dir = builds_dir(store_path) / f"{stamp}-{data_version}"
    total = nquads.count(b"\n")
    replay = None
    progress("load", 0, total)
    try:
        store = write_store(build_dir, nquads, data_version)
        progress("load", total, total)
        if store_path.exists():
            # review decisions live only in the store: bring them into the new build
            from ..overlap.review import carry_over_reviews

            carry_over_reviews(store_path.resolve(), store, base=base)
            # changes made through the service (issue 13): replayed, conflicts reported
            from ..curation.replay import replay_for_build

            replay = replay_for_build(store, build_dir, store_path.resolve())
        steps = _post_build_steps(base) if post_build is None else post_build
        for i, step in enumerate(steps):
            progress("derive", i, len(steps))
            step(store, build_dir)
        progress("derive", len(steps), len(steps))
        meta = store.meta
        del store  # release the RocksDB lock before anyone opens the new store
        swap_in(store_path, build_dir)
    except BaseException:
        shutil.rmtree(build_dir, ignore_errors=True)
        raise
    return BuildResult(store_path, build_dir, meta, len(report.warnings), replay)
