"""Figures for docs/notes/curation.md: the cost of one validated, recorded write on the real data,
and how fast hostile bodies are refused. Prints; asserts nothing.

    .venv/bin/python bench/curation_writes.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from iscg_graph.build.pipeline import build
from iscg_graph.curation.edits import set_title
from iscg_graph.curation.rdf_input import parse_rdf
from iscg_graph.curation.writes import Author, WritePath
from iscg_graph.errors import UnsafeInput
from iscg_graph.rdf.store import EmbeddedStore

REPO = Path(__file__).resolve().parents[1]
Q = "https://w3id.org/iscg/id/question/itu-t/2017-2020/1-2"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        link = Path(tmp) / "store"
        build(link)
        store = EmbeddedStore.open_writable(link.resolve())
        writes = WritePath(store)
        print(f"real store: {len(store)} quads")
        for i in range(3):
            started = time.perf_counter()
            writes.apply(lambda work, i=i: set_title(work, Q, f"Edited title {i}"), Author("bench", "bench"))
            took = _ms(time.perf_counter() - started)
            print(f"title edit {i + 1}: {took} (copy, validate all, commit, snapshot)")
        started = time.perf_counter()
        writes.working_copy()
        print(f"  of which the working copy: {_ms(time.perf_counter() - started)}")
    laughs = (REPO / "tests" / "fixtures" / "hostile" / "laughs.rdf").read_bytes()
    remote = b'{"@context": "http://127.0.0.1:9/c.jsonld", "@id": "http://e/s", "name": "x"}'
    deep = b"[" * 100_000 + b"]" * 100_000
    for name, body, fmt in (("RDF/XML entity bomb", laughs, ox.RdfFormat.RDF_XML),
                            ("JSON-LD remote @context", remote, ox.RdfFormat.JSON_LD),
                            ("JSON nested 100k deep", deep, ox.RdfFormat.JSON_LD)):
        started = time.perf_counter()
        try:
            parse_rdf(body, fmt, max_bytes=10_000_000)
        except UnsafeInput:
            pass
        print(f"{name} ({len(body)} bytes) refused in {_ms(time.perf_counter() - started)}")


if __name__ == "__main__":
    main()
