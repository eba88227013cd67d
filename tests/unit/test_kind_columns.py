"""The precompute's index written from arrays (`scoring.build_columns`, `kind_columns`) equals the
index of the document (`columnar.columns_from_doc(build_candidates(...))`) array for array, byte
for byte; and its pieces equal what they replace: `json_texts.round4` Python's ``round(v, 4)``,
`json_texts.blob` the index's blob of encoded texts, `evidence.shared_term_texts` the encoded
`shared_terms`."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import numpy as np
import pytest

from iscg_graph.overlap import columnar, evidence, features, json_texts, scoring
from iscg_graph.overlap.corpus import load_corpus
from iscg_graph.overlap.lineage import Coverage, build_lineages
from iscg_graph.overlap.weights import Weights
from iscg_graph.rdf.store import EmbeddedStore
from tests.unit.test_lineage import mini_store


def _same_columns(a: columnar.Columns, b: columnar.Columns) -> None:
    assert a.header == b.header
    assert sorted(a.arrays) == sorted(b.arrays)
    for name in a.arrays:
        x, y = np.asarray(a.arrays[name]), np.asarray(b.arrays[name])
        assert x.dtype == y.dtype and x.shape == y.shape, name
        assert x.tobytes() == y.tobytes(), name


def _compare(store: EmbeddedStore, **kwargs: object) -> columnar.Columns:
    doc = scoring.build_candidates(store, **kwargs)  # type: ignore[arg-type]
    doc["data_version"] = "v1"
    columns, summary = scoring.build_columns(store, data_version="v1", **kwargs)  # type: ignore[arg-type]
    _same_columns(columns, columnar.columns_from_doc(doc))
    assert summary.items == len(doc["items"])
    assert summary.counts == {k: sum(1 for c in v if "recorded" not in c) for k, v in doc["kinds"].items()}
    assert summary.recorded == {k: sum(1 for c in v if "recorded" in c) for k, v in doc["kinds"].items()}
    return columns


def _evidence_count(columns: columnar.Columns, key: str) -> int:
    found = 0
    for kind in columns.header["kinds"]:
        off, blob = columns[f"{kind}.ev.off"], columns[f"{kind}.ev.blob"].tobytes()
        for i in range(len(off) - 1):
            found += bool(json.loads(blob[off[i] : off[i + 1]]).get(key))
    return found


@pytest.mark.parametrize("continued", [True, False])
def test_columns_from_arrays_equal_the_documents_columns(continued: bool) -> None:
    columns = _compare(mini_store(continued=continued))
    # the per-candidate paths are exercised: records, shared sets, and with a continuation the
    # carry-overs and mapped lineages
    for key in ("recorded", "shared_themes", "shared_resolutions", "shared_items", "terms"):
        assert _evidence_count(columns, key) > 0, key
    if continued:
        assert _evidence_count(columns, "covered_by") > 0 and _evidence_count(columns, "mapped_by") > 0


def test_columns_from_arrays_equal_the_documents_with_links_hidden() -> None:
    store = mini_store()
    links = sorted({r.link for r in load_corpus(store).recorded if r.link})
    assert links
    _compare(store, hidden_links=links[:1])


def test_columns_from_arrays_with_other_weights() -> None:
    _compare(mini_store(), weights=Weights(mapped=0.0, disjoint_periods=0.5, top_k=2, min_score=0.01))


def test_precompute_writes_the_documents_index(tmp_path: Path) -> None:
    store = mini_store()
    doc = scoring.build_candidates(store)
    doc["data_version"] = store.meta.data_version
    (tmp_path / "doc").mkdir()
    (tmp_path / "arrays").mkdir()
    columnar.write(columnar.columns_from_doc(doc), tmp_path / "doc")
    scoring.precompute(store, tmp_path / "arrays")
    for name in sorted(p.name for p in (tmp_path / "doc").iterdir()):
        assert (tmp_path / "doc" / name).read_bytes() == (tmp_path / "arrays" / name).read_bytes(), name


@pytest.mark.slow
def test_real_data_columns_from_arrays_equal_the_documents(real_store: EmbeddedStore) -> None:
    columns = _compare(real_store)
    assert sum(len(columns[f"{k}.score"]) for k in columns.header["kinds"]) > 1000
    for key in ("recorded", "covered_by", "mapped_by", "shared_themes", "shared_items"):
        assert _evidence_count(columns, key) > 0, key


# -- the pieces ----------------------------------------------------------------------------------


def _values(seed: int) -> list[float]:
    rng = random.Random(seed)
    out = [rng.random() for _ in range(3000)]
    out += [rng.randrange(10_001) / 10_000 for _ in range(500)]  # 4-decimal values themselves
    out += [(rng.randrange(10_000) + 0.5) / 10_000 for _ in range(500)]  # near halves
    out += [k / 32 for k in range(33)] + [k / 20_000 for k in range(0, 20_001, 625)]  # exact halves
    out += [0.0, -0.0, 1.0, 1e-300, 5e-5, 4.9999999e-5, 1.00005, 2.5, -0.123456, 12345.67891]
    out += [rng.random() * 1e-3 for _ in range(300)] + [np.nextafter(0.5, 1.0), np.nextafter(0.5, 0.0)]
    return [float(v) for v in out]


@pytest.mark.parametrize("seed", range(4))
def test_round4_is_pythons_round(seed: int) -> None:
    values = _values(seed)
    rounded, texts = json_texts.round4(np.array(values))
    for v, r, t in zip(values, rounded.tolist(), texts, strict=True):
        want = round(v, 4)
        assert r == want and np.signbit(r) == np.signbit(want), v
        assert t == json.dumps(want), v


def test_blob_equals_the_indexs_blob() -> None:
    rng = random.Random(3)
    for alphabet in ("abc\"\\", "abcé\u0645\U0001f600"):
        texts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(8))) for _ in range(200)]
        off, data = json_texts.blob(texts)
        raw = [t.encode("utf-8") for t in texts]  # each text's bytes, one after the other
        assert off.dtype == np.int64 and off.tolist() == [0, *itertools.accumulate(map(len, raw))]
        assert data.dtype == np.uint8 and data.tobytes() == b"".join(raw)
    off, data = json_texts.blob([])
    assert off.tolist() == [0] and len(data) == 0


def test_quoted_and_dumps_are_the_indexs_encoder() -> None:
    def plain(value: object) -> str:
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    for value in ("plain", "t\u00e9rm \"q\"\n\\", "\u0645", ""):
        assert json_texts.quoted(value) == json_texts.dumps(value) == plain(value)
    nested = {"b": [{"z": "é", "a": None}], "a": 0.1234}
    assert json_texts.dumps(nested) == plain(nested)


def test_shared_term_texts_are_the_encoded_shared_terms() -> None:
    corpus = load_corpus(mini_store())
    recorded: dict = {}
    coverage = Coverage(corpus, build_lineages(corpus.items), recorded)
    _spaces, _a, surface, aux = features.build_spaces(corpus, Weights(), coverage)
    iris = sorted(aux["row"])
    pairs = [(x, y) for x in iris for y in iris]
    rows = aux["row"]
    texts = evidence.shared_term_texts(
        aux, surface, np.array([rows[x] for x, _ in pairs]), np.array([rows[y] for _, y in pairs])
    )
    want = evidence.shared_terms(aux, surface, pairs)
    assert any(want)
    assert texts == [json_texts.dumps(w) for w in want]
