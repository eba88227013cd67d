"""The write path's per-process caches (the shapes, their reach, the engine's compiled shapes, the
encoded ontology) are built by the service at start-up, in the background: the first write builds
none of them (docs/notes/scale.md §43). Counted, not timed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pyshacl_turbo
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from api.writes import app_write_path
from iscg_graph.build.pipeline import write_store
from iscg_graph.curation import incremental, warm_up
from iscg_graph.curation.writes import Author, WritePath
from iscg_graph.errors import ValidationFailed
from iscg_graph.rdf import turbo_input
from iscg_graph.rdf.store import EmbeddedStore

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "candidates" / "mini.trig"
Q32 = ox.NamedNode("https://w3id.org/iscg/id/question/itu-d/2018-2021/3-2")
GRAPH = ox.NamedNode("https://w3id.org/iscg/graph/itu-d")
ALT_LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
STUDY_GROUP = ox.NamedNode("https://w3id.org/iscg/ontology#studyGroup")


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    mem = ox.Store()
    mem.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    store = write_store(tmp_path / "build", mem.dump(format=ox.RdfFormat.N_QUADS) or b"", "test")
    del store
    return tmp_path / "build"


@pytest.fixture
def builders(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """The process made cold, and the calls of what the first validated write builds, counted."""
    calls = {"access_paths": 0, "compile_shapes": 0}

    def counted(name: str, owner: object, attr: str) -> None:
        original = getattr(owner, attr)

        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            calls[name] += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, attr, wrapper)

    counted("access_paths", incremental, "access_paths")
    counted("compile_shapes", pyshacl_turbo, "compile_shapes")
    warm_up.forget()
    yield calls
    warm_up.forget()  # the counting wrappers' results are not kept for later tests


def _label(text: str):  # type: ignore[no-untyped-def]
    def change(work: ox.Store) -> None:
        work.add(ox.Quad(Q32, ALT_LABEL, ox.Literal(text, language="en"), GRAPH))
    return change


def _settings(store_path: Path, *, warm_up_delay: float) -> Settings:
    return Settings(store_path=store_path, environment="test", query_workers=1,
                    budget_seconds_per_minute=0, reload_interval=0, write_warm_up_delay=warm_up_delay)


def test_the_service_warms_the_write_path_before_the_first_write(store_path: Path, builders) -> None:
    app = create_app(_settings(store_path, warm_up_delay=0.2))
    with TestClient(app):
        thread = app.state.write_warm_up
        assert thread is not None  # started by the lifespan, in the background
        thread.join(120)
        assert warm_up.is_warm() and warm_up.builds() == 1
        assert builders == {"access_paths": 1, "compile_shapes": 1}
        encoded = dict(turbo_input._CACHE)  # the ontology encoded for the engine
        assert len(encoded) == 1
        record = app_write_path(app).apply(_label("cyber"), Author("t", "", "test", "form"))
        assert record is not None
        # the write validated its focus nodes with what the start-up built: it built nothing
        assert builders == {"access_paths": 1, "compile_shapes": 1}
        assert turbo_input._CACHE == encoded and warm_up.builds() == 1
    assert app.state.write_warm_up is None  # it held the store (the register read): dropped


def test_a_warm_up_not_begun_is_cancelled_at_shutdown_and_keeps_no_store(store_path: Path, builders) -> None:
    app = create_app(_settings(store_path, warm_up_delay=600))
    with TestClient(app):
        thread = app.state.write_warm_up
        assert thread is not None and thread.is_alive()
    assert not thread.is_alive() and builders == {"access_paths": 0, "compile_shapes": 0}
    reopened = EmbeddedStore.open_writable(store_path)  # (fails while something holds the store)
    del reopened


def test_a_write_in_a_cold_process_builds_once_and_still_refuses_violations(store_path: Path,
                                                                            builders) -> None:
    """Without the warm-up (a process that never ran it) the first write builds what it needs, once,
    as before; a write that adds a violation is refused either way."""
    store = EmbeddedStore.open_writable(store_path)
    path = WritePath(store)
    assert not warm_up.is_warm()
    assert path.apply(_label("first"), Author("t", "", "test", "form")) is not None
    assert builders == {"access_paths": 1, "compile_shapes": 1}
    assert path.apply(_label("second"), Author("t", "", "test", "form")) is not None
    assert builders == {"access_paths": 1, "compile_shapes": 1} and warm_up.builds() == 0

    def no_study_group(work: ox.Store) -> None:  # a Question must name its study group
        for quad in list(work.quads_for_pattern(Q32, STUDY_GROUP, None, None)):
            work.remove(quad)

    with pytest.raises(ValidationFailed):
        path.apply(no_study_group, Author("t", "", "test", "form"))
    warm_up.warm()  # what the first write built is kept: the warm-up builds the rest only
    assert builders == {"access_paths": 1, "compile_shapes": 1} and warm_up.builds() == 1
    assert warm_up.start() is None  # warm, and no store given: no thread
    del path, store
