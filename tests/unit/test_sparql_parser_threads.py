"""rdflib's SPARQL parser used from several threads of a fresh process (`iscg_graph.rdf.sparql_parser`).

Unguarded, four threads reading the shapes' reach at once broke rdflib's grammar for the rest of the
process in 4 runs of 6 (``TypeError: <lambda>() missing 1 required positional argument``): a
service's write warm-up and its first write did exactly that, and every later write got 500. Each
run is a new interpreter, since the fault needs a parser no thread has used yet.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
import threading
from iscg_graph.curation import incremental, warm_up
from iscg_graph.rdf.shape_reach import access_paths
from iscg_graph.rdf.validation import load_shapes
from rdflib import Graph

shapes = load_shapes()
start, errors = threading.Barrier(4), []

def reach():
    start.wait()
    try:
        access_paths(shapes)
    except Exception as exc:
        errors.append(repr(exc))

def warm_and_write():
    start.wait()
    try:
        warm_up.warm()
        incremental.focus(Graph(), ())
    except Exception as exc:
        errors.append(repr(exc))

threads = [threading.Thread(target=reach) for _ in range(2)]
threads += [threading.Thread(target=warm_and_write) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
access_paths(shapes)  # and the parser still works afterwards
assert warm_up.is_warm(), "the warm-up failed"
print("errors:", errors)
"""


@pytest.mark.parametrize("run", range(4))
def test_the_shapes_reach_read_by_four_threads_at_once(run: int) -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "errors: []", done.stdout
