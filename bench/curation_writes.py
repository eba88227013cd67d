"""Figures for docs/notes/curation.md: the cost of one validated, recorded write on the real data,
and how fast hostile bodies are refused. Prints; asserts nothing.

    .venv/bin/python bench/curation_writes.py
"""

from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from iscg_graph.build.pipeline import build
from iscg_graph.curation.edits import retire, set_title
from iscg_graph.curation.rdf_input import parse_rdf
from iscg_graph.curation.theme_links import add_theme_link
from iscg_graph.curation.writes import Author, WritePath
from iscg_graph.errors import UnsafeInput, ValidationFailed
from iscg_graph.rdf.store import EmbeddedStore
from iscg_graph.rdf.validation import validate

REPO = Path(__file__).resolve().parents[1]
Q = "https://w3id.org/iscg/id/question/itu-t/2017-2020/1-2"
BASE = "https://w3id.org/iscg/"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


Q2 = "https://w3id.org/iscg/id/question/itu-t/2017-2020/2-2"
THEME = "https://w3id.org/iscg/id/theme/resolution-areas/27"
STUDY_GROUP = ox.NamedNode("https://w3id.org/iscg/ontology#studyGroup")


def _drop_study_group(work: ox.Store) -> None:  # a Question without its study group: refused (422)
    for quad in list(work.quads_for_pattern(ox.NamedNode(Q2), STUDY_GROUP, None, None)):
        work.remove(quad)


def _writes(writes: WritePath, label: str) -> None:
    today = date(2026, 12, 6)
    steps = [
        ("title edit", lambda w: set_title(w, Q, f"Edited title {label}")),
        ("title edit again", lambda w: set_title(w, Q, f"Edited title {label} again")),
        ("theme link with its record", lambda w: add_theme_link(
            w, Q2, THEME, curator="Bench Editor", justification="bench", on=today, base=BASE)),
        ("retire", lambda w: retire(w, Q2, BASE)),
        ("refused: a Question without study group", _drop_study_group),
    ]
    for name, change in steps:
        started = time.perf_counter()
        try:
            writes.apply(change, Author("bench", "bench"))
        except ValidationFailed:
            pass
        print(f"  {name}: {_ms(time.perf_counter() - started)}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("whole dataset", "incremental"):
            link = Path(tmp) / mode.replace(" ", "-")
            build(link, post_build=[])
            store = EmbeddedStore.open_writable(link.resolve())
            # any validator but the default one is validated whole (its reach is not known)
            writes = WritePath(store, validate=(lambda g: validate(g, in_place=True))
                               if mode == "whole dataset" else None)
            print(f"{mode} validation, real store of {len(store)} quads:")
            _writes(writes, mode)
            del writes, store
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
