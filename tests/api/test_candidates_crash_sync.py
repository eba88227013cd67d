"""The candidate index agrees with the store after a crash between a decision's commit and its
journal line (`iscg_graph.overlap.index_sync`, run when the service loads the index)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_candidates import Q32, Q62, Q95, Q417, _client, _store, auth

from iscg_graph.overlap import columnar, scoring

DECISION = {"left": Q417, "right": Q32, "decision": "reject", "reviewer": "Ana Reviewer"}


def _journal(store_dir: Path) -> bytes | None:
    path = store_dir / columnar.OVERLAY_FILE
    return path.read_bytes() if path.exists() else None


def _listed(client, item: str, other: str, include_recorded: bool = False) -> list[dict]:
    body = client.get("/api/candidates", params={"item": item, "limit": 100,
                                                 "include_recorded": str(include_recorded).lower()}).json()
    return [c for c in body["candidates"] if other in (c["left"]["iri"], c["right"]["iri"])]


def test_a_decision_whose_journal_line_was_lost_is_applied_on_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    normal = _store(tmp_path / "normal")  # the same decision, answered normally: the reference
    ok = _client(normal, "s3cret-review-token")
    assert _listed(ok, Q32, Q417)
    assert ok.post("/api/candidates/review", headers=auth(), json=DECISION).status_code == 201
    expected = _journal(normal.path)  # type: ignore[arg-type]
    assert expected is not None and expected.count(b"\n") == 1

    store = _store(tmp_path / "crashed")
    client = _client(store, "s3cret-review-token")
    assert _listed(client, Q32, Q417)  # the index is loaded and served

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("the process died before the journal line")

    monkeypatch.setattr(columnar, "append_overlay", crash)
    with pytest.raises(OSError):
        client.post("/api/candidates/review", headers=auth(), json=DECISION)
    monkeypatch.undo()
    assert _journal(store.path) is None  # type: ignore[arg-type]  # committed in the store only
    assert len(store.select("SELECT ?m WHERE { GRAPH <https://w3id.org/iscg/graph/reviews> "
                            "{ ?m <https://w3id.org/iscg/ontology#subject> ?s } }")) == 1

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("the index was recomputed")

    monkeypatch.setattr(scoring, "precompute", forbidden)
    restarted = _client(store, "s3cret-review-token")  # the service after the crash
    assert not _listed(restarted, Q32, Q417)
    # recorded exactly as a normal decision would have been, in the index and in its journal
    assert _journal(store.path) == expected  # type: ignore[arg-type]
    fixed = _listed(restarted, Q32, Q417, include_recorded=True)
    reference = _listed(_client(normal, "s3cret-review-token"), Q32, Q417, include_recorded=True)
    assert fixed == reference and fixed[0]["status"] == "Rejected" and len(fixed[0]["links"]) == 1
    # nothing applied twice: another load finds nothing missing, the journal is left as it is
    again = _client(store, "s3cret-review-token")
    assert _listed(again, Q32, Q417, include_recorded=True) == reference
    assert _journal(store.path) == expected  # type: ignore[arg-type]
    # deciding it again is the store's 409, and the next decision is journalled after it
    assert again.post("/api/candidates/review", headers=auth(), json=DECISION).status_code == 409
    other = {**DECISION, "left": Q95, "right": Q62}
    assert again.post("/api/candidates/review", headers=auth(), json=other).status_code == 201
    assert _journal(store.path).count(b"\n") == 2  # type: ignore[arg-type, union-attr]


def test_an_index_with_nothing_missing_is_unchanged(tmp_path: Path) -> None:
    store = _store(tmp_path)
    client = _client(store, "s3cret-review-token")
    assert _listed(client, Q32, Q417)  # the index is computed and served
    assert client.post("/api/candidates/review", headers=auth(), json=DECISION).status_code == 201
    journal = _journal(store.path)  # type: ignore[arg-type]
    assert journal is not None
    _listed(_client(store, "s3cret-review-token"), Q32, Q417)
    assert _journal(store.path) == journal  # type: ignore[arg-type]  # byte-identical
    # after a precompute the decision is the index's own: no journal is written back
    scoring.precompute(store, store.path)
    assert _journal(store.path) is None  # type: ignore[arg-type]
    flagged = _listed(_client(store, "s3cret-review-token"), Q32, Q417, include_recorded=True)
    assert flagged[0]["status"] == "Rejected"
    assert _journal(store.path) is None  # type: ignore[arg-type]
