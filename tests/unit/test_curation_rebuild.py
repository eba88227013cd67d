"""Nothing written through the service is lost: a title edited through the write path survives
`iscg build` (replayed), `iscg export` writes it into the Question's row of data/, and the build
after that finds it already in the tables. On the real data (three builds: slow)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from iscg_graph.build.pipeline import DEFAULT_DATA, build
from iscg_graph.curation.edits import current_title, set_title
from iscg_graph.curation.export import export_changes
from iscg_graph.curation.history import changes_about
from iscg_graph.curation.writes import Author, WritePath
from iscg_graph.rdf.store import EmbeddedStore

Q = "https://w3id.org/iscg/id/question/itu-t/2017-2020/1-2"
NEW = "Application of numbering, naming, addressing and identification plans, as edited"


def _row(data: Path) -> dict[str, str]:
    with open(data / "questions" / "itu-t.csv", newline="", encoding="utf-8") as fh:
        rows = csv.DictReader(fh)
        return next(r for r in rows if (r["study_period"], r["notation"]) == ("2017-2020", "Q1/2"))


@pytest.mark.slow
def test_edit_survives_rebuild_and_is_exported(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, data)
    link = tmp_path / "store"
    build(link, data)
    store = EmbeddedStore.open_writable(link.resolve())
    record = WritePath(store).apply(lambda work: set_title(work, Q, NEW), Author("ed", "typo in the title"))
    assert record is not None
    del store

    result = build(link, data)
    assert result.replay is not None and result.replay.applied == [record.number]
    rebuilt = EmbeddedStore.open_snapshot(link)
    assert current_title(rebuilt.inner, Q) == NEW
    [history] = changes_about(rebuilt.inner, Q)
    assert (history.author, history.comment) == ("ed", "typo in the title")

    report = export_changes(rebuilt.inner, data)
    assert [iri for _, iri in report.written] == [Q]
    assert _row(data)["title"] == NEW
    # every other row and file is untouched
    for path in sorted(DEFAULT_DATA.rglob("*.csv")):
        copy = data / path.relative_to(DEFAULT_DATA)
        if path.name != "itu-t.csv" or path.parent.name != "questions":
            assert copy.read_bytes() == path.read_bytes(), path
    before = (DEFAULT_DATA / "questions" / "itu-t.csv").read_text().splitlines()
    after = (data / "questions" / "itu-t.csv").read_text().splitlines()
    assert sum(a != b for a, b in zip(before, after, strict=True)) == 1

    result = build(link, data)
    assert result.replay is not None and result.replay.already == [record.number]
