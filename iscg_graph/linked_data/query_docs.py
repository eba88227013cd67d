"""The "how to query this graph" guide and the workbench's examples, generated so they never drift.

Sources: the ontology (`ontology_docs.OntologyDoc`: which classes exist, how many instances the data
has, which properties start from each class) and the canned queries (`queries/*.rq` with their
`#+ ` headers, via `iscg_graph.query.catalog.load_catalog`). The example query for a class is written from
the class's own CURIE and properties, never from request input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..query.catalog import QueryCatalog, load_catalog
from ..vocab import RDFS, curie, prefixes
from .ontology_docs import OntologyDoc, TermDoc

_CURIE = re.compile(r"^[a-z][a-z0-9]*:[A-Za-z][A-Za-z0-9_]*$")
MAIN_CLASSES = 12
PROPERTIES_PER_EXAMPLE = 3


@dataclass(frozen=True)
class Example:
    """A query the workbench offers as a tab and the guide shows."""

    name: str
    summary: str
    description: str
    text: str
    tags: tuple[str, ...] = ()
    params: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClassGuide:
    term: TermDoc
    properties: tuple[TermDoc, ...]
    example: Example


@dataclass(frozen=True)
class Guide:
    prefix_lines: str
    classes: tuple[ClassGuide, ...]
    canned: tuple[Example, ...]


def prefix_block(base: str, names: tuple[str, ...] = ("iscg", "rdfs", "skos", "dct")) -> str:
    table = prefixes(base)
    return "\n".join(f"PREFIX {n}: <{table[n]}>" for n in names)


def canned_examples(folder: Path | None = None) -> tuple[Example, ...]:
    """Every canned query as an example (name = file stem), in file-name order."""
    catalog: QueryCatalog = load_catalog(folder)
    return tuple(
        Example(
            name=spec.name,
            summary=spec.summary,
            description=spec.description.strip(),
            text=spec.text,
            tags=tuple(spec.tags),
            params=tuple(p.name for p in spec.params),
        )
        for spec in (catalog[name] for name in sorted(catalog))
    )


def _var(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def class_example(term: TermDoc, props: tuple[TermDoc, ...], base: str) -> Example:
    table = prefixes(base)
    cls = term.node.curie or ""
    if not _CURIE.match(cls):
        raise ValueError(f"not a CURIE: {cls!r}")
    lines = [
        "SELECT ?item ?label" + "".join(f" ?{_var(p.name)}" for p in props) + " WHERE {",
        f"  ?item a {cls} ;",
        "        rdfs:label ?label .",
        '  FILTER(LANG(?label) = "en")',
    ]
    for p in props:
        pc = p.node.curie or ""
        if _CURIE.match(pc):
            lines.append(f"  OPTIONAL {{ ?item {pc} ?{_var(p.name)} }}")
    lines += ["}", "ORDER BY ?label", "LIMIT 20"]
    used = ["iscg", "rdfs"]
    head = "\n".join(f"PREFIX {n}: <{table[n]}>" for n in used)
    return Example(
        name=f"class-{term.name}",
        summary=f"Some {term.node.label} resources",
        description=term.comment or "",
        text=head + "\n\n" + "\n".join(lines) + "\n",
    )


def guide(doc: OntologyDoc, base: str, folder: Path | None = None) -> Guide:
    with_data = [c for c in doc.classes if c.instance_count]
    chosen = sorted(with_data, key=lambda c: (-c.instance_count, c.name))[:MAIN_CLASSES] or list(
        doc.classes[:MAIN_CLASSES]
    )
    by_iri = {p.node.value: p for p in doc.properties}
    classes = []
    for c in chosen:
        props = tuple(by_iri[n.value] for n in c.as_domain if n.value in by_iri)
        usable = tuple(p for p in props if p.node.curie and _CURIE.match(p.node.curie))[
            :PROPERTIES_PER_EXAMPLE
        ]
        classes.append(ClassGuide(c, props, class_example(c, usable, base)))
    return Guide(prefix_block(base), tuple(classes), canned_examples(folder))


def ontology_terms(doc: OntologyDoc, base: str) -> dict[str, list[str]]:
    """Class and property IRIs for the editor's autocompletion (ontology + the reused terms it uses)."""
    classes = sorted({c.node.value for c in doc.classes} | {s.value for c in doc.classes for s in c.supers})
    props = sorted({p.node.value for p in doc.properties} | {RDFS + "label", RDFS + "comment"})
    table = prefixes(base)
    return {
        "classes": [c for c in classes if curie(c, table)],
        "properties": [p for p in props if curie(p, table)],
    }
