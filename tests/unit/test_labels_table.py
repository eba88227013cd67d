"""Labels in the other official languages (data/labels): only as sourced, on organisations and
study groups, each with the source it was seen in; the build refuses anything else (issue 16)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS

from iscg_graph.build.tables import DEFAULT_BASE, load_tables
from iscg_graph.errors import DanglingKeyError, SourceError

DATA = Path(__file__).resolve().parents[2] / "data"
ID = DEFAULT_BASE + "id/"
HEADER = "item,lang,label,source,confidence,notes\n"


@pytest.fixture(scope="module")
def tables():  # type: ignore[no-untyped-def]
    return load_tables(DATA)


def test_every_row_becomes_a_language_tagged_label_with_its_source(tables) -> None:  # type: ignore[no-untyped-def]
    ds = tables.dataset
    with (DATA / "labels" / "organisations.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 10
    iris = {"ITU-R": "sector/itu-r", "ITU-T": "sector/itu-t", "BR": "bureau/br", "TSB": "bureau/tsb",
            "BDT": "bureau/bdt", "TDAG": "advisory-group/tdag", "TSAG": "advisory-group/tsag"}
    for row in rows:
        s = URIRef(ID + iris[row["item"]])
        assert any(ds.quads((s, RDFS.label, Literal(row["label"], lang=row["lang"]), None)))
        assert any(ds.quads((s, DCTERMS.source, URIRef(row["source"]), None)))
    itu_t = URIRef(ID + "sector/itu-t")
    langs = {o.language for _s, _p, o, _g in ds.quads((itu_t, RDFS.label, None, None))}
    assert {"en", "ar", "zh", "es"} <= langs


def _with_labels(tmp_path: Path, body: str) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "labels" / "organisations.csv").write_text(HEADER + body, encoding="utf-8")
    return data


@pytest.mark.parametrize(
    ("body", "error", "column"),
    [
        ("ITU-T,en,Other,https://www.itu.int/x,confirmed,\n", SourceError, "lang"),
        ("ITU-T,de,Sektor,https://www.itu.int/x,confirmed,\n", SourceError, "lang"),
        ("ITU-T,fr,Secteur,,confirmed,\n", SourceError, "source"),
        ("ITU-T,fr,Secteur,https://www.itu.int/x,unconfirmed,\n", SourceError, "confidence"),
        ("ITU-X,fr,Secteur,https://www.itu.int/x,confirmed,\n", DanglingKeyError, "item"),
    ],
)
def test_unsourced_or_misplaced_labels_are_refused(
    tmp_path: Path, body: str, error: type, column: str
) -> None:
    with pytest.raises(error) as caught:
        load_tables(_with_labels(tmp_path, body))
    assert column in str(caught.value)


def test_study_group_labels_as_sourced(tables) -> None:  # type: ignore[no-untyped-def]
    ds = tables.dataset
    with (DATA / "labels" / "study-groups.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(r["source"].startswith("http://www.itu.int/fr/") for r in rows)
    for row in rows:
        sector, period, notation = row["item"].split(":")
        s = URIRef(f"{ID}study-group/{sector.lower()}/{period}/{notation.lower()}")
        assert any(ds.quads((s, RDFS.label, Literal(row["label"], lang=row["lang"]), None))), row["item"]
        assert any(ds.quads((s, DCTERMS.source, URIRef(row["source"]), None)))
