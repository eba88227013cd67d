"""What is new since a release or a study period (iscg_graph.overlap.new_since and
queries/new-since.rq): on the new-period fixture, before and after its Questions are imported."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from iscg_graph.build.releases import create_release
from iscg_graph.curation.writes import WritePath
from iscg_graph.errors import ParameterError
from iscg_graph.imports.new_period import commit_questions, preview_questions
from iscg_graph.imports.upload import read_table
from iscg_graph.overlap.index import CandidateIndex
from iscg_graph.overlap.new_since import Since, new_since, new_since_table, release_items
from iscg_graph.overlap.scoring import precompute
from iscg_graph.query.catalog import load_catalog
from iscg_graph.query.engine import InProcessEngine
from iscg_graph.rdf.store import EmbeddedStore

BASE = "https://w3id.org/iscg/"
ID = BASE + "id/question/"
NEW_Q72 = ID + "itu-d/2022-2025/7-2"
NEW_Q73 = ID + "itu-t/2025-2028/7-3"


class Imported:
    def __init__(self, store: Path, releases: Path):
        self.store, self.releases = store, releases
        self.db = EmbeddedStore.open_snapshot(store)
        self.engine = InProcessEngine(self.db)
        self.index = CandidateIndex.load(store)
        self.catalog = load_catalog()

    def since(self, since: Since):  # type: ignore[no-untyped-def]
        return new_since(self.engine, self.catalog, self.index, since, base_iri=BASE, min_score=0.2)

    def release(self, name: str) -> Since:
        return Since(release=name, items=release_items(EmbeddedStore.open_snapshot(self.releases / name)))


@pytest.fixture(scope="module")
def imported(new_period, tmp_path_factory) -> Iterator[Imported]:  # type: ignore[no-untyped-def]
    """Release "before", the new Questions imported (continuations accepted), release "after"."""
    store, table = new_period
    root = tmp_path_factory.mktemp("new-since")
    copy, releases = root / "store", root / "releases"
    shutil.copytree(store.resolve(), copy)
    create_release(copy, releases, "before", base=BASE, on="2025-01-01")
    db = EmbeddedStore.open_writable(copy)
    preview = preview_questions(read_table(table, "q.csv"), db, base=BASE)
    commit_questions(preview, WritePath(db, base=BASE), data=table, file_name="q.csv", author="secretariat",
                     comment="new period", base=BASE, accept_continuations=True)
    precompute(db, copy)
    del db
    create_release(copy, releases, "after", base=BASE, on="2026-01-01")
    yield Imported(copy, releases)


def _pairs(table) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {(r["a"].value, r["b"].value) for r in table.rows}


def test_new_since_a_release_lists_what_the_import_brought(imported: Imported) -> None:
    before = imported.release("before")
    assert NEW_Q72 not in before.items and ID + "itu-d/2018-2021/7-2" in before.items  # type: ignore[operator]
    result = imported.since(before)
    pairs = _pairs(result.recorded)
    # the carried-over mapping of Q7/2 with ITU-T Q3/5 and its theme link: Proposed, with their origin
    assert (NEW_Q72, ID + "itu-t/2022-2024/3-5") in pairs
    q35 = ID + "itu-t/2022-2024/3-5"
    row = next(r for r in result.recorded.rows if (r["a"].value, r["b"].value) == (NEW_Q72, q35))
    assert row["statusLabel"].value == "proposed" and row["origin"].value.startswith("carry over? from:")
    assert row["newSide"].value == "one side"
    # every row has a side the release did not hold
    assert all(a not in before.items or b not in before.items for a, b in pairs)  # type: ignore[operator]
    # candidates: the new Questions' unrecorded overlaps (ITU-D Q3/2 cybersecurity with ITU-T SG17)
    assert result.candidates
    for c in result.candidates:
        assert c.left["iri"] not in before.items or c.right["iri"] not in before.items  # type: ignore[operator]
    q32 = ID + "itu-d/2022-2025/3-2"
    assert any(q32 in (c.left["iri"], c.right["iri"]) and "17" in (c.left["label"] + c.right["label"])
               for c in result.candidates)


def test_nothing_is_new_since_the_latest_release(imported: Imported) -> None:
    result = imported.since(imported.release("after"))
    assert result.recorded.rows == () and result.candidates == ()


def test_new_since_a_study_period_is_study_period_aware(imported: Imported) -> None:
    result = imported.since(Since(period="2022-2024"))
    pairs = _pairs(result.recorded)
    # ITU-T 2025-2028 Q7/3 started after 2022: its carried-over theme links are there …
    assert any(a == NEW_Q73 for a, _b in pairs)
    # … ITU-D 2022-2025 Q7/2 did not (2022 is not after 2022): its records only with a new other side
    for r in result.recorded.rows:
        years = [int(r[k].value[:4]) for k in ("aPeriod", "bPeriod") if k in r]
        assert any(y > 2022 for y in years)
    assert not any(a == NEW_Q72 and b.startswith(BASE + "id/theme/") for a, b in pairs)
    for c in result.candidates:
        assert max(int((side.get("period") or "0")[:4]) for side in (c.left, c.right)) > 2022
    earlier = imported.since(Since(period="2018-2021"))
    assert (NEW_Q72, ID + "itu-t/2022-2024/3-5") in _pairs(earlier.recorded)
    assert len(earlier.recorded.rows) > len(result.recorded.rows)


def test_the_download_table_holds_both_kinds(imported: Imported) -> None:
    result = imported.since(imported.release("before"))
    table, columns = new_since_table(result)
    kinds = [r["what"].value for r in table.rows]
    assert kinds.count("candidate overlap") == len(result.candidates)
    assert kinds.count("recorded mapping or link") == len(result.recorded.rows)
    assert [c.name for c in columns][:3] == ["what", "score", "aLabel"]


def test_the_points_of_comparison() -> None:
    with pytest.raises(ParameterError):
        Since(release="before")  # without its items
    with pytest.raises(ParameterError, match="YYYY-YYYY"):
        Since(period="2018")
    assert Since().is_new("x", "")  # neither: everything is new
    both = Since(period="2018-2021", release="before", items=frozenset({"old", "kept"}))
    assert both.is_new("x", "") and both.is_new("old", "2022-2025") and not both.is_new("kept", "2018-2021")
    assert Since(period="2018-2021").is_new("x", "2022-2025")
    assert not Since(period="2018-2021").is_new("x", "2018-2021")
    assert not Since(period="2018-2021").is_new("x", "")  # no study period: never new by period
