"""The table → RDF converter: real data counts, keys, labels, errors and determinism."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from iscg_graph.build.tables import DEFAULT_BASE, load_tables
from iscg_graph.errors import DanglingKeyError, SourceError

DATA = Path(__file__).resolve().parents[2] / "data"
ISCG = Namespace(DEFAULT_BASE + "ontology#")
ID = DEFAULT_BASE + "id/"


def graph(tables, name):  # type: ignore[no-untyped-def]
    return tables.dataset.graph(URIRef(DEFAULT_BASE + "graph/" + name))


def csv_rows(*parts: str) -> int:
    """Data rows of every CSV under data/<parts> (a folder or one file)."""
    path = DATA.joinpath(*parts)
    files = [path] if path.is_file() else sorted(path.glob("*.csv"))
    total = 0
    for f in files:
        with f.open(encoding="utf-8", newline="") as fh:
            total += sum(1 for row in csv.reader(fh) if any(c.strip() for c in row)) - 1
    return total


# the Union part a key's prefix belongs to (architecture: PP → GS, RA/WRC → ITU-R, WTSA → ITU-T, WTDC → ITU-D)
PART_OF_PREFIX = {
    "GS": "GS",
    "PP": "GS",
    "ITU-R": "ITU-R",
    "RA": "ITU-R",
    "WRC": "ITU-R",
    "ITU-T": "ITU-T",
    "WTSA": "ITU-T",
    "ITU-D": "ITU-D",
    "WTDC": "ITU-D",
}


def mapping_rows_within_one_part() -> int:
    """Rows of data/mappings whose subject and object keys fall in the same Union part."""
    total = 0
    for f in sorted((DATA / "mappings").glob("*.csv")):
        with f.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                sides = [PART_OF_PREFIX[row[c].split(":", 1)[0]] for c in ("subject", "object")]
                total += sides[0] == sides[1]
    return total


@pytest.fixture(scope="module")
def tables():  # type: ignore[no-untyped-def]
    return load_tables(DATA)


def union(tables):  # type: ignore[no-untyped-def]
    """All named graphs merged (rdflib's Dataset.value only reads the default graph)."""
    g = Graph()
    for s, p, o, _ in tables.dataset.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def subjects(g, cls):  # type: ignore[no-untyped-def]
    return set(g.subjects(RDF.type, cls))


# ---------------------------------------------------------------- counts per table


def test_counts_of_the_tables_owned_here(tables) -> None:  # type: ignore[no-untyped-def]
    """One resource per data row: the expected numbers come from the CSV files, not from constants.

    Each count is asserted non-zero, so an empty or unread table cannot pass by matching an empty graph;
    the fixed facts of the model (5 conferences, 3 Sectors, ...) stay constants.
    """
    q = graph(tables, "questions")
    by_sector: dict[str, int] = {}
    for s in subjects(q, ISCG.Question):
        code = str(q.value(s, ISCG.sector)).rsplit("/", 1)[1]
        by_sector[code] = by_sector.get(code, 0) + 1
    expected_questions: dict[str, int] = {}  # rows per `sector` cell, over every file of data/questions
    for f in sorted((DATA / "questions").glob("*.csv")):
        with f.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                code = row["sector"].lower()
                expected_questions[code] = expected_questions.get(code, 0) + 1
    assert sum(expected_questions.values()) == csv_rows("questions")
    assert set(expected_questions) == {"itu-d", "itu-r", "itu-t"}
    assert all(n > 0 for n in expected_questions.values()), expected_questions
    assert by_sector == expected_questions
    res = graph(tables, "resolutions")
    n_resolutions = csv_rows("resolutions", "resolutions.csv")
    n_versions = csv_rows("resolutions", "versions.csv")
    assert n_resolutions >= 80 and n_versions >= n_resolutions
    assert len(subjects(res, ISCG.Resolution)) == n_resolutions
    assert len(subjects(res, ISCG.ResolutionVersion)) == n_versions
    conf = graph(tables, "conferences")
    assert len(subjects(conf, ISCG.Conference)) == 5
    n_editions = csv_rows("conferences", "editions.csv")
    assert n_editions > 0
    assert len(subjects(conf, ISCG.ConferenceEdition)) == n_editions
    org = graph(tables, "organisations")
    assert len(subjects(org, ISCG.Sector)) == 3
    assert len(subjects(org, ISCG.GeneralSecretariat)) == 1
    assert len(subjects(org, ISCG.Bureau)) == 3
    assert len(subjects(org, ISCG.AdvisoryGroup)) == 3
    maps = graph(tables, "mappings")
    links = subjects(maps, ISCG.Link) | subjects(maps, ISCG.Mapping)
    n_mappings = csv_rows("mappings")
    assert n_mappings > 0
    assert len(links) == n_mappings
    # same Union part on both sides (a plain Link, not a Mapping): counted from the key prefixes of the rows;
    # today PP 188 → PP 177, ITU-D Q23/1 → WTDC 62, ITU-D Q5/2 → WTDC 34 and the four intra-SG1 rows
    same_part = mapping_rows_within_one_part()
    assert 0 < same_part < n_mappings
    assert len(subjects(maps, ISCG.Link)) == same_part


def test_every_version_belongs_to_its_resolution_and_revises_an_earlier_one(tables) -> None:  # type: ignore[no-untyped-def]
    """Rows added to versions.csv keep the chains consistent, whatever their number."""
    ds = union(tables)
    versions = subjects(graph(tables, "resolutions"), ISCG.ResolutionVersion)
    assert len(versions) == csv_rows("resolutions", "versions.csv") > 0
    revising = 0
    for v in versions:
        work = ds.value(v, ISCG.versionOf)
        assert work is not None and v in set(ds.objects(work, ISCG.hasVersion)), v
        previous = ds.value(v, ISCG.revises)
        if previous is not None:
            revising += 1
            assert ds.value(previous, ISCG.versionOf) == work, v
            assert int(str(ds.value(previous, DCTERMS.issued))) < int(str(ds.value(v, DCTERMS.issued))), v
    assert revising > 0
    # rows of the second pass: a 2012 WTSA text revised in 2016, a 2022 PP revision, WTDC 45 of 2014
    for later, earlier in (("wtsa/50/2016", "wtsa/50/2012"), ("pp/198/2022", "pp/198/2018")):
        assert ds.value(URIRef(ID + "resolution/" + later), ISCG.revises) == URIRef(
            ID + "resolution/" + earlier
        )
    wtdc45 = URIRef(ID + "resolution/wtdc/45")
    assert URIRef(ID + "resolution/wtdc/45/2014") in set(ds.objects(wtdc45, ISCG.hasVersion))


def test_every_row_of_every_folder_becomes_a_resource(tables) -> None:  # type: ignore[no-untyped-def]
    """Files other engineers own (ITU-T) are read whatever their name: one origin per row."""
    folders = sorted(p.name for p in DATA.iterdir() if p.is_dir() and any(p.glob("*.csv")))
    assert {
        "conferences",
        "coordination",
        "mappings",
        "organisations",
        "questions",
        "resolutions",
        "study-groups",
        "theme-links",
        "themes",
    } <= set(folders)
    per_file: dict[str, int] = {}
    for origin in tables.origins.values():
        path = origin.rsplit(":", 1)[0]
        per_file[path] = per_file.get(path, 0) + 1
    for folder in folders:
        for f in sorted((DATA / folder).glob("*.csv")):
            rows = csv_rows(folder, f.name)
            made = per_file.get(f"data/{folder}/{f.name}", 0)
            if f.name == "schemes.csv":  # a scheme row also makes its collections
                assert made >= rows
            elif f.name == "mandates.csv" or folder == "labels":  # statements about existing items
                assert made == 0
            else:
                assert made == rows, f.name


def test_study_group_and_question_floor(tables) -> None:  # type: ignore[no-untyped-def]
    groups = graph(tables, "study-groups")
    n_groups = sum(
        len(subjects(groups, ISCG[c])) for c in ("StudyGroup", "WorkingParty", "TaskGroup", "JointTaskGroup")
    )
    assert n_groups == csv_rows("study-groups") - csv_rows("study-groups", "study-periods.csv")
    assert n_groups >= 30
    questions = subjects(graph(tables, "questions"), ISCG.Question)
    assert len(questions) >= 150
    ds = union(tables)
    assert all(ds.value(q, URIRef("http://purl.org/dc/terms/source")) for q in questions)


def test_five_schemes_have_the_annex_counts(tables) -> None:  # type: ignore[no-untyped-def]
    g = graph(tables, "themes")
    counts = {}
    for scheme in subjects(g, ISCG.ThemeScheme):
        counts[str(scheme).rsplit("/", 1)[1]] = len(set(g.subjects(SKOS.inScheme, scheme)))
    assert counts == {
        "isctf-topics": 12,
        "cross-sectoral-groups": 11,
        "resolution-areas": 44,
        "iscg-areas": 26,
        "council-groups": 8,
    }
    subject_areas = URIRef(ID + "scheme/isctf-topics/collection/subject-areas")
    admin = URIRef(ID + "scheme/isctf-topics/collection/administrative-support")
    assert len(set(g.objects(subject_areas, SKOS.member))) == 8
    assert len(set(g.objects(admin, SKOS.member))) == 4
    assert g.value(URIRef(ID + "theme/iscg-areas/8.1"), SKOS.broader) == URIRef(ID + "theme/iscg-areas/8")
    assert len(set(g.objects(URIRef(ID + "scheme/iscg-areas"), SKOS.hasTopConcept))) == 10


def test_every_itud_itur_question_and_resolution_has_a_theme(tables) -> None:  # type: ignore[no-untyped-def]
    links = graph(tables, "theme-links")
    themed = set(links.subjects(ISCG.addressesTheme, None))
    q = graph(tables, "questions")
    mine = {s for s in subjects(q, ISCG.Question) if not str(s).startswith(ID + "question/itu-t/")}
    assert len(mine) == csv_rows("questions", "itu-d.csv") + csv_rows("questions", "itu-r.csv") > 0
    assert mine <= themed
    resolutions = subjects(graph(tables, "resolutions"), ISCG.Resolution)
    assert resolutions <= themed


# ---------------------------------------------------------------- keys, labels, derived links


def test_display_labels_follow_one_rule(tables) -> None:  # type: ignore[no-untyped-def]
    ds = union(tables)
    q = URIRef(ID + "question/itu-d/2018-2021/7-2")
    assert ds.value(q, RDFS.label) == Literal(
        "ITU-D Q7/2 (2018-2021): Strategies and policies concerning human exposure to electromagnetic fields",
        lang="en",
    )
    r = URIRef(ID + "question/itu-r/2019-2023/239-1")
    assert str(ds.value(r, RDFS.label)).startswith("Question ITU-R 239/1 (2019-2023): ")
    assert ds.value(r, ISCG.officialNumber) == Literal("Question ITU-R 239/1")
    assert ds.value(r, ISCG.questionNumber) == Literal("239")
    pp191 = URIRef(ID + "resolution/pp/191")
    assert str(ds.value(pp191, RDFS.label)).startswith("PP Resolution 191: Strategy for the coordination")
    assert ds.value(pp191, SKOS.notation) == Literal("PP Res. 191")
    assert ds.value(URIRef(ID + "resolution/pp/191/2022"), RDFS.label) == Literal(
        "PP Resolution 191 (Rev. Bucharest, 2022)", lang="en"
    )
    assert str(ds.value(URIRef(ID + "resolution/ra/75"), RDFS.label)).startswith("Resolution ITU-R 75: ")
    wp = URIRef(ID + "study-group/itu-r/2019-2023/wp-5d")
    assert ds.value(wp, RDFS.label) == Literal("ITU-R WP 5D (2019-2023): IMT Systems", lang="en")


def test_versions_latest_version_and_revises_chain(tables) -> None:  # type: ignore[no-untyped-def]
    ds = union(tables)
    pp191 = URIRef(ID + "resolution/pp/191")
    versions = set(ds.objects(pp191, ISCG.hasVersion))
    assert versions == {URIRef(ID + f"resolution/pp/191/{y}") for y in (2014, 2018, 2022)}
    assert ds.value(pp191, ISCG.latestVersion) == URIRef(ID + "resolution/pp/191/2022")
    assert ds.value(URIRef(ID + "resolution/pp/191/2022"), ISCG.revises) == URIRef(
        ID + "resolution/pp/191/2018"
    )
    # WTSA-20 met in 2022: its version is keyed by the year it was adopted, the edition by its name
    v = URIRef(ID + "resolution/wtsa/18/2022")
    assert ds.value(v, ISCG.adoptedAt) == URIRef(ID + "conference/wtsa/2020")
    assert ds.value(URIRef(ID + "resolution/wtsa/18/2024"), ISCG.revises) == v


def test_continues_links(tables) -> None:  # type: ignore[no-untyped-def]
    ds = union(tables)
    assert ds.value(URIRef(ID + "question/itu-d/2022-2025/7-2"), ISCG.continues) == URIRef(
        ID + "question/itu-d/2018-2021/7-2"
    )
    assert ds.value(URIRef(ID + "question/itu-d/2022-2025/3-1"), ISCG.continues) == URIRef(
        ID + "question/itu-d/2018-2021/5-2"
    )
    # study groups: same notation in the previous period of the same Sector, automatically
    assert ds.value(URIRef(ID + "study-group/itu-r/2019-2023/sg7"), ISCG.continues) == URIRef(
        ID + "study-group/itu-r/2015-2019/sg7"
    )
    assert ds.value(URIRef(ID + "study-group/itu-r/2015-2019/sg7"), ISCG.continues) is None


def test_mapping_rows_and_direct_statements(tables) -> None:  # type: ignore[no-untyped-def]
    ds = union(tables)
    m = graph(tables, "mappings")
    same_gs = [
        s
        for s in subjects(m, ISCG.Link)
        if m.value(s, ISCG.object) == URIRef(ID + "resolution/pp/177")
        and m.value(s, ISCG.subject) == URIRef(ID + "resolution/pp/188/2014")
    ]
    assert len(same_gs) == 1
    assert ds.value(URIRef(ID + "body/iscg"), ISCG.establishedBy) == URIRef(ID + "resolution/wtdc/59")
    assert Literal("ISCT", lang="en") in set(ds.objects(URIRef(ID + "body/iscg"), SKOS.altLabel))
    assert ds.value(URIRef(ID + "outcome/iscg-2019-2-pilot-theme"), ISCG.pilotTheme) == URIRef(
        ID + "theme/resolution-areas/27"
    )
    refs = {str(o) for o in m.objects(None, URIRef("http://purl.org/dc/terms/identifier"))}
    # every reference row is represented except 23, 32 and 43 (notes / establishedBy / documents)
    assert {int(r.split(":")[1]) for r in refs} == set(range(2, 63)) - {23, 32, 43}


def test_origins_name_file_and_line(tables) -> None:  # type: ignore[no-untyped-def]
    assert tables.origins[ID + "mapping/M0001"] == "data/mappings/mappings.csv:2"
    assert tables.origins[ID + "theme/isctf-topics/1"] == "data/themes/themes.csv:2"
    assert all(
        type(k) is str for k in tables.origins
    )  # plain strings: a SHACL focus node's str() finds its row


def test_output_is_deterministic(tables) -> None:  # type: ignore[no-untyped-def]
    again = load_tables(DATA)

    def nquads(t) -> list[str]:  # type: ignore[no-untyped-def]
        return sorted(line for line in t.dataset.serialize(format="nquads").splitlines() if line.strip())

    assert nquads(tables) == nquads(again)
    for name in ("questions", "themes", "mappings"):
        assert to_isomorphic(graph(tables, name)) == to_isomorphic(graph(again, name))
    assert list(tables.origins.items()) == list(again.origins.items())


# ---------------------------------------------------------------- errors, on a small copy


def _mini(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    for folder in ("organisations", "coordination"):
        shutil.copytree(DATA / folder, data / folder)
    (data / "study-groups").mkdir()
    shutil.copy(DATA / "study-groups" / "study-periods.csv", data / "study-groups")
    shutil.copy(DATA / "study-groups" / "itu-d.csv", data / "study-groups")
    for folder in ("resolutions", "conferences", "themes"):
        shutil.copytree(DATA / folder, data / folder)
    (data / "questions").mkdir()
    shutil.copy(DATA / "questions" / "itu-d.csv", data / "questions")
    # coordination and themes cite nothing outside these folders; mandates cite ITU-R groups: drop them
    (data / "resolutions" / "mandates.csv").unlink()
    return data


def _append(path: Path, row: list[str]) -> int:
    with path.open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow(row)
    with path.open(encoding="utf-8") as fh:
        return sum(1 for _ in fh)


def test_the_small_copy_loads(tmp_path: Path) -> None:
    tables = load_tables(_mini(tmp_path))
    n = csv_rows("questions", "itu-d.csv")
    assert n > 0
    assert len(subjects(graph(tables, "questions"), ISCG.Question)) == n


def test_dangling_key_names_file_line_and_column(tmp_path: Path) -> None:
    data = _mini(tmp_path)
    path = data / "questions" / "itu-d.csv"
    line = _append(
        path,
        [
            "ITU-D",
            "2018-2021",
            "SG9",
            "Q1/9",
            "",
            "A Question of a group nobody defines",
            "",
            "",
            "",
            "recalled",
            "",
        ],
    )
    with pytest.raises(DanglingKeyError) as err:
        load_tables(data)
    assert err.value.path == "data/questions/itu-d.csv"
    assert err.value.line == line
    assert err.value.column == 3  # study_group
    assert "ITU-D:2018-2021:SG9" in str(err.value)


def test_dangling_theme_in_a_theme_link(tmp_path: Path) -> None:
    data = _mini(tmp_path)
    (data / "theme-links").mkdir()
    path = data / "theme-links" / "any-name.csv"
    path.write_text("item,theme,justification,curator,date,source,confidence,notes\n", encoding="utf-8")
    line = _append(
        path,
        [
            "PP:191",
            "theme:resolution-areas:45",
            "x",
            "agent:iscg-graph-data-team",
            "2026-11-24",
            "doc:iscg-graph-curation",
            "confirmed",
            "",
        ],
    )
    with pytest.raises(DanglingKeyError) as err:
        load_tables(data)
    assert (err.value.path, err.value.line, err.value.column) == ("data/theme-links/any-name.csv", line, 2)


def test_confirmed_row_needs_a_source(tmp_path: Path) -> None:
    data = _mini(tmp_path)
    _append(
        data / "questions" / "itu-d.csv",
        ["ITU-D", "2018-2021", "SG1", "Q8/1", "", "A Question", "", "", "", "confirmed", ""],
    )
    with pytest.raises(SourceError, match="a confirmed row needs a source"):
        load_tables(data)


def test_missing_title_is_left_to_the_shapes(tmp_path: Path) -> None:
    """Content rules (one dct:title) are SHACL's job: the row converts, without a title."""
    data = _mini(tmp_path)
    _append(
        data / "questions" / "itu-d.csv",
        ["ITU-D", "2018-2021", "SG1", "Q8/1", "", "", "", "", "", "recalled", ""],
    )
    tables = load_tables(data)
    q = URIRef(ID + "question/itu-d/2018-2021/8-1")
    ds = union(tables)
    assert ds.value(q, URIRef("http://purl.org/dc/terms/title")) is None
    assert ds.value(q, RDFS.label) == Literal("ITU-D Q8/1 (2018-2021)", lang="en")


def test_duplicate_key_is_an_error(tmp_path: Path) -> None:
    data = _mini(tmp_path)
    _append(
        data / "questions" / "itu-d.csv",
        ["ITU-D", "2018-2021", "SG1", "Q1/1", "", "Again", "", "", "", "recalled", ""],
    )
    with pytest.raises(SourceError, match="duplicate key 'ITU-D:2018-2021:Q1/1'"):
        load_tables(data)


def test_unknown_header_is_an_error(tmp_path: Path) -> None:
    data = _mini(tmp_path)
    (data / "questions" / "odd.csv").write_text(
        "a,b,source,confidence,notes\n1,2,,recalled,\n", encoding="utf-8"
    )
    with pytest.raises(SourceError) as err:
        load_tables(data)
    assert err.value.path == "data/questions/odd.csv" and err.value.line == 1


def test_turtle_file_lands_in_its_folder_graph(tmp_path: Path) -> None:
    data = _mini(tmp_path)
    (data / "themes" / "extra.ttl").write_text(
        '<https://example.org/x> <http://www.w3.org/2000/01/rdf-schema#label> "x"@en .\n', encoding="utf-8"
    )
    tables = load_tables(data)
    assert (URIRef("https://example.org/x"), RDFS.label, Literal("x", lang="en")) in graph(tables, "themes")
    (data / "themes" / "broken.ttl").write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(SourceError, match="cannot parse Turtle"):
        load_tables(data)
