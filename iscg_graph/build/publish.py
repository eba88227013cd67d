"""Publish the dataset: a VoID + DCAT description in `graph/meta`, and gzip dumps, on every build.

`publish(store, store_dir, base_iri)` is called by the build after loading. It

1. counts the data (triples, distinct subjects/objects, entities per class, triples per property
   and per named graph) excluding `graph/meta` itself;
2. replaces this module's statements in `{base}graph/meta` (subjects `{base}dataset` and
   `{base}dataset#…`; anything else the build put in `graph/meta` is kept);
3. writes `<store_dir>/dumps/iscg.ttl.gz` (the union graph as Turtle) and
   `<store_dir>/dumps/iscg.nq.gz` (every named graph, N-Quads), atomically, byte-for-byte stable
   for the same data (gzip mtime 0, sorted statements).

The service serves the description at `/dataset` and the files at `/dumps/<name>`.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from ..rdf.atomic_files import atomic_write
from ..rdf.store import EmbeddedStore
from ..vocab import DCAT, DCT, FOAF, ONTOLOGY_NS, RDF, RDF_TYPE, RDFS, XSD, prefixes

VOID = "http://rdfs.org/ns/void#"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
TITLE = "ISCG knowledge graph"
DESCRIPTION = (
    "ITU inter-Sector coordination as linked data: Sectors, study groups, Questions, Resolutions, "
    "coordination bodies, the ISCG theme lists and the recorded links between them, each with its "
    "source and confidence."
)
DUMPS = {
    "iscg.ttl.gz": ("text/turtle", "Turtle (union of all named graphs), gzip"),
    "iscg.nq.gz": ("application/n-quads", "N-Quads (every named graph), gzip"),
}
GZIP_TYPE = "http://www.iana.org/assignments/media-types/application/gzip"


@dataclass(frozen=True)
class Counts:
    triples: int
    subjects: int
    objects: int
    entities: int
    classes: dict[str, int]
    properties: dict[str, int]
    graphs: dict[str, int]


def meta_graph(base: str) -> str:
    return f"{base}graph/meta"


def dataset_iri(base: str) -> str:
    return f"{base}dataset"


def count(store: EmbeddedStore, base: str) -> Counts:
    """Figures for VoID, over every named graph except `graph/meta`."""
    meta = meta_graph(base)
    triples: set[tuple[str, str, str]] = set()
    subjects: set[str] = set()
    objects: set[str] = set()
    graphs: dict[str, int] = {}
    properties: dict[str, set[tuple[str, str]]] = {}
    classes: dict[str, set[str]] = {}
    for q in store.quads(None, None, None, None):
        g = q.graph_name
        if not isinstance(g, ox.NamedNode) or g.value == meta:
            continue
        graphs[g.value] = graphs.get(g.value, 0) + 1
        key = (str(q.subject), str(q.predicate), str(q.object))
        if key in triples:
            continue
        triples.add(key)
        subjects.add(str(q.subject))
        if not isinstance(q.object, ox.Literal):
            objects.add(str(q.object))
        properties.setdefault(q.predicate.value, set()).add((key[0], key[2]))
        if q.predicate == RDF_TYPE and isinstance(q.object, ox.NamedNode):
            classes.setdefault(q.object.value, set()).add(str(q.subject))
    entities = {s for s in subjects if s.startswith(f"<{base}id/")}
    return Counts(
        triples=len(triples),
        subjects=len(subjects),
        objects=len(objects),
        entities=len(entities),
        classes={c: len(v) for c, v in sorted(classes.items())},
        properties={p: len(v) for p, v in sorted(properties.items())},
        graphs=dict(sorted(graphs.items())),
    )


def _lit(value: object, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(str(value), language=lang)
    if datatype:
        return ox.Literal(str(value), datatype=ox.NamedNode(datatype))
    return ox.Literal(str(value))


def description(store: EmbeddedStore, base: str, *, modified: str | None = None) -> list[ox.Triple]:
    """The VoID + DCAT description of the store's current content."""
    c = count(store, base)
    n = ox.NamedNode
    ds = n(dataset_iri(base))
    t: list[ox.Triple] = []

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        t.append(ox.Triple(s, n(p), o))

    when = modified or store.meta.built_at or datetime.now(UTC).replace(microsecond=0).isoformat()
    add(ds, RDF + "type", n(VOID + "Dataset"))
    add(ds, RDF + "type", n(DCAT + "Dataset"))
    add(ds, DCT + "title", _lit(TITLE, lang="en"))
    add(ds, RDFS + "label", _lit(TITLE, lang="en"))
    add(ds, DCT + "description", _lit(DESCRIPTION, lang="en"))
    add(ds, DCT + "license", n(LICENSE))
    add(ds, DCT + "modified", _lit(when, XSD + "dateTime" if "T" in when else XSD + "date"))
    publisher = n(f"{base}id/body/iscg")
    if any(True for _ in store.quads(publisher, None, None, None)):
        add(ds, DCT + "publisher", publisher)
    add(ds, DCT + "conformsTo", n(ONTOLOGY_NS.rstrip("#")))
    add(ds, FOAF + "homepage", n(base))
    add(ds, VOID + "uriSpace", _lit(f"{base}id/"))
    add(ds, VOID + "vocabulary", n(ONTOLOGY_NS.rstrip("#")))
    add(ds, VOID + "sparqlEndpoint", n(f"{base}sparql"))
    add(ds, VOID + "triples", _lit(c.triples, XSD + "integer"))
    add(ds, VOID + "entities", _lit(c.entities, XSD + "integer"))
    add(ds, VOID + "distinctSubjects", _lit(c.subjects, XSD + "integer"))
    add(ds, VOID + "distinctObjects", _lit(c.objects, XSD + "integer"))
    add(ds, VOID + "classes", _lit(len(c.classes), XSD + "integer"))
    add(ds, VOID + "properties", _lit(len(c.properties), XSD + "integer"))
    if store.meta.data_version and store.meta.data_version != "unbuilt":
        add(ds, DCT + "hasVersion", _lit(store.meta.data_version))
    for name, (media, title) in DUMPS.items():
        url = n(f"{base}dumps/{name}")
        dist = n(f"{dataset_iri(base)}#dump-{name.split('.')[1]}")
        add(ds, VOID + "dataDump", url)
        add(ds, DCAT + "distribution", dist)
        add(dist, RDF + "type", n(DCAT + "Distribution"))
        add(dist, DCT + "title", _lit(title, lang="en"))
        add(dist, DCAT + "downloadURL", url)
        add(dist, DCAT + "mediaType", n(f"http://www.iana.org/assignments/media-types/{media}"))
        add(dist, DCAT + "compressFormat", n(GZIP_TYPE))
        add(dist, DCT + "license", n(LICENSE))
    service = n(f"{dataset_iri(base)}#sparql")
    add(ds, DCAT + "distribution", n(f"{dataset_iri(base)}#sparql-distribution"))
    sd = n(f"{dataset_iri(base)}#sparql-distribution")
    add(sd, RDF + "type", n(DCAT + "Distribution"))
    add(sd, DCT + "title", _lit("SPARQL 1.1 endpoint", lang="en"))
    add(sd, DCAT + "accessURL", n(f"{base}sparql"))
    add(sd, DCAT + "accessService", service)
    add(service, RDF + "type", n(DCAT + "DataService"))
    add(service, DCT + "title", _lit("ISCG SPARQL endpoint", lang="en"))
    add(service, DCAT + "endpointURL", n(f"{base}sparql"))
    add(service, DCAT + "servesDataset", ds)
    add(service, DCT + "conformsTo", n("https://www.w3.org/TR/sparql11-protocol/"))
    for cls, entities in c.classes.items():
        part = n(f"{dataset_iri(base)}#class-{_fragment(cls, base)}")
        add(ds, VOID + "classPartition", part)
        add(part, VOID + "class", n(cls))
        add(part, VOID + "entities", _lit(entities, XSD + "integer"))
    for prop, triples in c.properties.items():
        part = n(f"{dataset_iri(base)}#property-{_fragment(prop, base)}")
        add(ds, VOID + "propertyPartition", part)
        add(part, VOID + "property", n(prop))
        add(part, VOID + "triples", _lit(triples, XSD + "integer"))
    for graph, triples in c.graphs.items():
        sub = n(f"{dataset_iri(base)}#graph-{graph.rsplit('/', 1)[-1]}")
        add(ds, VOID + "subset", sub)
        add(sub, RDF + "type", n(VOID + "Dataset"))
        add(sub, RDFS + "seeAlso", n(graph))
        add(sub, VOID + "triples", _lit(triples, XSD + "integer"))
    return sorted(t, key=lambda x: (str(x.subject), str(x.predicate), str(x.object)))


def _fragment(iri: str, base: str) -> str:
    """A readable fragment for a class or property: its CURIE with `:` as `-` (`iscg-Question`)."""
    for prefix, ns in prefixes(base).items():
        if iri.startswith(ns) and iri[len(ns) :]:
            return f"{prefix}-{iri[len(ns) :]}"
    return "".join(ch if ch.isalnum() else "-" for ch in iri.split("://", 1)[-1]).strip("-")


def _is_ours(subject: object, base: str) -> bool:
    if not isinstance(subject, ox.NamedNode):
        return False
    return subject.value == dataset_iri(base) or subject.value.startswith(dataset_iri(base) + "#")


def publish(store: EmbeddedStore, store_dir: Path, base_iri: str) -> None:
    """Describe the dataset in `graph/meta` and write the gzip dumps under `store_dir/dumps/`."""
    meta = ox.NamedNode(meta_graph(base_iri))
    kept = [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in store.quads(None, None, None, meta)
        if not _is_ours(q.subject, base_iri)
    ]
    triples = kept + description(store, base_iri)
    store.replace_graph(meta.value, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
    write_dumps(store, Path(store_dir) / "dumps", base_iri)


def _sorted_quads(store: EmbeddedStore) -> list[ox.Quad]:
    return sorted(
        (q for q in store.quads(None, None, None, None) if isinstance(q.graph_name, ox.NamedNode)),
        key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)),
    )


def _union_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    return sorted(
        {ox.Triple(q.subject, q.predicate, q.object) for q in quads},
        key=lambda t: (str(t.subject), str(t.predicate), str(t.object)),
    )


def write_dumps(store: EmbeddedStore, folder: Path, base: str) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    quads = _sorted_quads(store)
    used = {p: ns for p, ns in sorted(prefixes(base).items())}
    bodies = {
        "iscg.nq.gz": ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"",
        "iscg.ttl.gz": ox.serialize(_union_triples(quads), format=ox.RdfFormat.TURTLE, prefixes=used) or b"",
    }
    out: dict[str, Path] = {}
    for name, body in bodies.items():
        target = folder / name
        atomic_write(target, _gzip(body))
        out[name] = target
    return out


def _gzip(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="") as fh:
        fh.write(data)
    return buf.getvalue()
