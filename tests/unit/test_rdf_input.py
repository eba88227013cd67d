"""Hostile RDF bodies are refused before or while parsing, never fetched from, never expanded."""

from __future__ import annotations

import socket
from pathlib import Path

import pyoxigraph as ox
import pytest

from iscg_graph.curation.rdf_input import MAX_JSON_DEPTH, parse_rdf, rdf_format
from iscg_graph.errors import UnsafeInput

# the classic "billion laughs" (entities of entities), 452 bytes
LAUGHS = (Path(__file__).resolve().parents[1] / "fixtures" / "hostile" / "laughs.rdf").read_bytes()
CAP = 1_000_000


def test_rdf_xml_entity_declarations_are_refused() -> None:
    with pytest.raises(UnsafeInput, match="entity declaration"):
        parse_rdf(LAUGHS, ox.RdfFormat.RDF_XML, max_bytes=CAP)
    lowercase = LAUGHS.replace(b"<!DOCTYPE", b"<!doctype")
    with pytest.raises(UnsafeInput):
        parse_rdf(lowercase, ox.RdfFormat.RDF_XML, max_bytes=CAP)


def test_plain_rdf_xml_is_parsed() -> None:
    body = LAUGHS.split(b"]>")[1].replace(b"&lol3;", b"x")
    [quad] = parse_rdf(body, ox.RdfFormat.RDF_XML, max_bytes=CAP)
    assert quad.object.value == "x"


def test_remote_json_ld_context_is_refused_and_never_fetched() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.setblocking(False)
        port = listener.getsockname()[1]
        for doc in (
            f'{{"@context": "http://127.0.0.1:{port}/ctx.jsonld", "@id": "http://e/s", "name": "x"}}',
            f'{{"@context": [{{"@vocab": "http://e/"}}, "http://127.0.0.1:{port}/c"], "@id": "http://e/s"}}',
            f'{{"@graph": [{{"@context": {{"@import": "http://127.0.0.1:{port}/c"}}, "@id": "http://e/s"}}]}}',
        ):
            with pytest.raises(UnsafeInput, match="by reference"):
                parse_rdf(doc.encode(), ox.RdfFormat.JSON_LD, max_bytes=CAP)
        with pytest.raises(BlockingIOError):  # nobody connected
            listener.accept()


def test_inline_json_ld_context_is_parsed() -> None:
    doc = b'{"@context": {"name": "http://e/name"}, "@id": "http://e/s", "name": "x"}'
    [quad] = parse_rdf(doc, ox.RdfFormat.JSON_LD, max_bytes=CAP)
    assert quad.predicate.value == "http://e/name"


def test_deep_json_is_refused_before_parsing() -> None:
    deep = b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1)
    with pytest.raises(UnsafeInput, match="deeper"):
        parse_rdf(deep, ox.RdfFormat.JSON_LD, max_bytes=CAP)
    # brackets inside strings do not count
    doc = b'{"@id": "http://e/s", "http://e/p": "' + b"[" * 500 + b'"}'
    assert len(parse_rdf(doc, ox.RdfFormat.JSON_LD, max_bytes=CAP)) == 1


def test_size_cap_and_encoding() -> None:
    with pytest.raises(UnsafeInput) as exc:
        parse_rdf(b"<http://a> <http://b> <http://c> .", ox.RdfFormat.N_TRIPLES, max_bytes=10)
    assert exc.value.status == 413
    with pytest.raises(UnsafeInput) as exc:
        parse_rdf("<http://a> <http://b> 'x' .".encode("utf-16"), ox.RdfFormat.TURTLE, max_bytes=CAP)
    assert exc.value.status == 415
    with pytest.raises(UnsafeInput) as exc:
        rdf_format("text/turtle; charset=latin-1")
    assert exc.value.status == 415
    with pytest.raises(UnsafeInput) as exc:
        rdf_format("application/x-unknown")
    assert exc.value.status == 415


def test_triples_go_to_the_named_graph_and_quads_are_refused() -> None:
    g = ox.NamedNode("http://e/g")
    [q] = parse_rdf(b"<http://a> <http://b> _:x .", ox.RdfFormat.TURTLE, max_bytes=CAP, to_graph=g)
    assert q.graph_name == g
    with pytest.raises(UnsafeInput, match="not named graphs"):
        parse_rdf(b"<http://g> { <http://a> <http://b> <http://c> }", ox.RdfFormat.TRIG, max_bytes=CAP,
                  to_graph=g)
