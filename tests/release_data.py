"""A small dataset in two versions for the release tests: three Questions (a fourth in the later
version, Question 2 retitled), and a blank-node note whose label differs between versions."""

from __future__ import annotations

from pathlib import Path

from iscg_graph.build.pipeline import builds_dir, swap_in, write_store

BASE = "https://w3id.org/iscg/"
Q = "<https://w3id.org/iscg/ontology#Question>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
NOTE = "<http://www.w3.org/2004/02/skos/core#note>"
VALUE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#value>"
G = f"<{BASE}graph/questions>"


def q(n: int) -> str:
    return f"<{BASE}id/question/itu-t/2017-2020/{n}-17>"


def nquads(*, q2_title: str = "Question 2/17 on security", extra: bool = False, bnode: str = "b0") -> bytes:
    lines = []
    for n in (1, 2, 3):
        title = q2_title if n == 2 else f"Question {n}/17 on security"
        lines += [f"{q(n)} {TYPE} {Q} {G} .", f'{q(n)} {LABEL} "{title}"@en {G} .']
    if extra:
        lines += [f"{q(4)} {TYPE} {Q} {G} .", f'{q(4)} {LABEL} "Question 4/17, new"@en {G} .']
    # a structured note on Question 1: the same blank-node structure under any label
    lines += [f"{q(1)} {NOTE} _:{bnode} {G} .", f'_:{bnode} {VALUE} "kept as it is" {G} .']
    return ("\n".join(lines) + "\n").encode()


def make_build(link: Path, version: int, data: bytes) -> Path:
    build_dir = builds_dir(link) / f"{version:04d}-v{version}"
    store = write_store(build_dir, data, f"v{version}")
    del store
    swap_in(link, build_dir)
    return build_dir
