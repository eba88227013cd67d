"""Reading RDF files with clear errors: format from the file name, syntax errors with line and column.

Files are parsed by pyoxigraph (precise positions, no network access: a JSON-LD document with a remote
``@context`` is refused rather than fetched) and handed to rdflib as N-Quads.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import rdflib

from ..errors import SourceError

FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}


def rdf_format(path: Path) -> ox.RdfFormat:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise SourceError(
            f"unknown RDF file type {path.suffix or '(none)'!r}; expected one of {known}", path=str(path)
        ) from None


def read_quads(path: Path) -> list[ox.Quad]:
    fmt = rdf_format(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}", path=str(path)) from exc
    try:
        return list(ox.parse(data, format=fmt, base_iri=path.resolve().as_uri()))
    except SyntaxError as exc:
        message = str(exc)
        raise SourceError(
            message, path=str(path), line=getattr(exc, "lineno", None), column=getattr(exc, "offset", None)
        ) from exc
    except (ValueError, OSError) as exc:
        raise SourceError(str(exc), path=str(path)) from exc


def read_graph(path: Path) -> rdflib.Graph:
    """All triples of the file (quads are merged into one graph) as an rdflib Graph."""
    quads = read_quads(path)
    triples = (
        ox.serialize(
            [ox.Triple(q.subject, q.predicate, q.object) for q in quads], format=ox.RdfFormat.N_TRIPLES
        )
        or b""
    )
    graph = rdflib.Graph()
    graph.parse(data=triples.decode("utf-8"), format="nt")
    return graph
