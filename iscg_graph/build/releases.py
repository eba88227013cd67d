"""Releases: named, dated, immutable snapshots of the current build.

A release is a directory under the releases folder (by default ``releases/`` beside the store
link, e.g. ``var/releases/<name>/``; `iscg build` prunes only ``<store>.builds/``, never this)::

    <name>/
        snapshot.nq        the whole dataset as N-Quads: a read-only build (engines open it as one)
        meta.json          the build's meta (data version, build time, counts per graph)
        release.json       name, title, date, created, previous release, data version, counts
        description.ttl    VoID + DCAT description of the release (its own IRI, version links)
        dumps/iscg.nq.gz   N-Quads and Turtle dumps, byte-for-byte as a build writes them
        dumps/iscg.ttl.gz

It is written into a hidden temporary folder and renamed into place in one step, so a release is
either complete or absent; its files are then made read-only. A name is one path segment of
letters, digits, ``.``, ``_`` and ``-`` (no ``..``, no ``/``, not ``current``); an existing name is
never overwritten.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pyoxigraph as ox

from ..errors import ISCGError, ReleaseError, UnknownRelease  # noqa: F401 (defined in the one tree, re-exported here)
from ..rdf.store import SNAPSHOT, EmbeddedStore, write_meta
from ..vocab import DCAT, DCT, OWL, PROV, RDF, RDFS, XSD, prefixes
from .publish import DUMPS, LICENSE, TITLE, VOID, count, dataset_iri, write_dumps

__all__ = [
    "CURRENT", "Release", "ReleaseError", "create_release", "list_releases", "open_release",
    "release_dir", "release_iri", "releases_dir", "validate_name",
]

RELEASE_JSON = "release.json"
DESCRIPTION = "description.ttl"
CURRENT = "current"  # the live data, in diffs: never a release name
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class Release:
    name: str
    title: str
    date: str  # ISO date the release stands for (e.g. the ISCG meeting it follows)
    created: str  # when it was made (UTC, ISO date-time)
    previous: str | None  # the release before it, if any
    data_version: str
    triples: int
    entities: int
    classes: dict[str, int]
    path: Path

    def to_json(self) -> dict[str, object]:
        raw = asdict(self)
        raw.pop("path")
        return raw


def releases_dir(store_path: Path) -> Path:
    """Where the releases of the store at ``store_path`` live: ``releases/`` beside its link."""
    return Path(store_path).absolute().parent / "releases"


def validate_name(name: str) -> str:
    if name == CURRENT:
        raise ReleaseError(f"{CURRENT!r} means the live data, it cannot name a release")
    if not _NAME.fullmatch(name) or ".." in name:
        shown = name if len(name) <= 80 else name[:80] + "…"
        raise ReleaseError(
            f"release name {shown!r} is not allowed: use 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit (no '..', no '/')"
        )
    return name


def release_dir(root: Path, name: str) -> Path:
    return Path(root) / validate_name(name)


def release_iri(base: str, name: str) -> str:
    return f"{base}releases/{name}"


def _read(path: Path) -> Release:
    try:
        raw = json.loads((path / RELEASE_JSON).read_text("utf-8"))
        return Release(
            name=str(raw["name"]), title=str(raw["title"]), date=str(raw["date"]),
            created=str(raw["created"]), previous=raw.get("previous"),
            data_version=str(raw["data_version"]), triples=int(raw["triples"]),
            entities=int(raw["entities"]), classes={str(k): int(v) for k, v in raw["classes"].items()},
            path=path,
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReleaseError(f"unreadable release at {path}: {exc}") from exc


def list_releases(root: Path) -> list[Release]:
    """Every complete release, oldest first (by creation time, then name)."""
    root = Path(root)
    if not root.is_dir():
        return []
    found = [_read(p) for p in root.iterdir()
             if p.is_dir() and not p.name.startswith(".") and (p / RELEASE_JSON).is_file()]
    return sorted(found, key=lambda r: (r.created, r.name))


def open_release(root: Path, name: str) -> Release:
    path = release_dir(root, name)
    if not (path / RELEASE_JSON).is_file():
        raise UnknownRelease(f"no release named {name!r}")
    return _read(path)


def _check_date(value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ReleaseError(f"release date {value[:40]!r} is not an ISO date (YYYY-MM-DD)") from None


def create_release(store_path: Path, root: Path, name: str, *, title: str | None = None,
                   on: str | None = None, base: str, now: datetime | None = None) -> Release:
    """Snapshot the build ``store_path`` points to as release ``name`` under ``root``."""
    validate_name(name)
    root = Path(root)
    target = root / name
    if target.exists():
        raise ReleaseError(f"release {name!r} already exists; releases are never replaced")
    created_at = (now or datetime.now(UTC)).replace(microsecond=0)
    day = _check_date(on) if on else created_at.date().isoformat()
    store = EmbeddedStore.open_snapshot(store_path)
    earlier = list_releases(root)
    previous = earlier[-1].name if earlier else None
    counts = count(store, base)
    release = Release(name=name, title=title or name, date=day,
                      created=created_at.isoformat().replace("+00:00", "Z"), previous=previous,
                      data_version=store.meta.data_version, triples=counts.triples,
                      entities=counts.entities, classes=counts.classes, path=target)
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=root, prefix=f".{name}."))
    try:
        (tmp / SNAPSHOT).write_bytes(store.dump_nquads())
        write_meta(tmp, store.meta)
        write_dumps(store, tmp / "dumps", base)
        (tmp / DESCRIPTION).write_bytes(_describe(release, base))
        (tmp / RELEASE_JSON).write_text(json.dumps(release.to_json(), indent=2, sort_keys=True), "utf-8")
        _freeze(tmp)
        try:
            os.rename(tmp, target)  # not os.replace: a release made meanwhile is never overwritten
        except OSError:
            raise ReleaseError(f"release {name!r} already exists; releases are never replaced") from None
    except BaseException:
        _thaw(tmp)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return _read(target)


def _freeze(folder: Path) -> None:
    """Files read-only: a release is not edited in place (a mistake is a new release)."""
    for path in folder.rglob("*"):
        if path.is_file():
            path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


def _thaw(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            path.chmod(stat.S_IRUSR | stat.S_IWUSR)


def _describe(release: Release, base: str) -> bytes:
    """VoID + DCAT for the release: a version of the dataset, the revision of the one before."""
    n = ox.NamedNode
    me = n(release_iri(base, release.name))
    t: list[ox.Triple] = []

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        t.append(ox.Triple(s, n(p), o))

    add(me, RDF + "type", n(VOID + "Dataset"))
    add(me, RDF + "type", n(DCAT + "Dataset"))
    add(me, RDF + "type", n(PROV + "Entity"))
    add(me, DCT + "title", ox.Literal(f"{TITLE}: {release.title}", language="en"))
    add(me, RDFS + "label", ox.Literal(release.title, language="en"))
    add(me, DCT + "isVersionOf", n(dataset_iri(base)))
    add(n(dataset_iri(base)), DCT + "hasVersion", me)
    add(me, OWL + "versionInfo", ox.Literal(release.name))
    add(me, DCAT + "version", ox.Literal(release.name))
    add(me, DCT + "issued", ox.Literal(release.date, datatype=n(XSD + "date")))
    add(me, DCT + "created", ox.Literal(release.created, datatype=n(XSD + "dateTime")))
    add(me, DCT + "license", n(LICENSE))
    add(me, VOID + "triples", ox.Literal(str(release.triples), datatype=n(XSD + "integer")))
    add(me, VOID + "entities", ox.Literal(str(release.entities), datatype=n(XSD + "integer")))
    add(me, VOID + "sparqlEndpoint", n(f"{release_iri(base, release.name)}/sparql"))
    if release.data_version:
        add(me, DCT + "hasVersion", ox.Literal(release.data_version))
    if release.previous:
        before = n(release_iri(base, release.previous))
        add(me, PROV + "wasRevisionOf", before)
        add(me, DCAT + "previousVersion", before)
    for file, (media, title) in DUMPS.items():
        url = n(f"{release_iri(base, release.name)}/dumps/{file}")
        dist = n(f"{release_iri(base, release.name)}#dump-{file.split('.')[1]}")
        add(me, VOID + "dataDump", url)
        add(me, DCAT + "distribution", dist)
        add(dist, RDF + "type", n(DCAT + "Distribution"))
        add(dist, DCT + "title", ox.Literal(title, language="en"))
        add(dist, DCAT + "downloadURL", url)
        add(dist, DCAT + "mediaType", n(f"http://www.iana.org/assignments/media-types/{media}"))
    for cls, entities in release.classes.items():
        part = n(f"{release_iri(base, release.name)}#class-{len(t)}")
        add(me, VOID + "classPartition", part)
        add(part, VOID + "class", n(cls))
        add(part, VOID + "entities", ox.Literal(str(entities), datatype=n(XSD + "integer")))
    t.sort(key=lambda x: (str(x.subject), str(x.predicate), str(x.object)))
    used = {p: ns for p, ns in prefixes(base).items()}
    return ox.serialize(t, format=ox.RdfFormat.TURTLE, prefixes=used) or b""

