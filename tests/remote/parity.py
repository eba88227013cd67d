"""Every canned query (defaults, and each parameter set to values from its choices) answered by
two engines, compared solution by solution (blank-node labels aside)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

from iscg_graph.query.catalog import load_catalog
from iscg_graph.query.interface import QueryEngine

JSON = "application/sparql-results+json"
CHOICES_PER_PARAM = 2
_SEPARATOR = re.compile(r'SEPARATOR\s*=\s*"([^"]+)"', re.IGNORECASE)
FALLBACK = {"sector": ("itu-t", "itu-d")}  # types without a choices query


def cases(reference: QueryEngine) -> Iterator[tuple[str, dict[str, str]]]:
    """(query name, substitutions): each query with its defaults, then each parameter that offers
    choices set to the first of them in turn."""
    catalog = load_catalog()
    for name, spec in sorted(catalog.items()):
        choices: dict[str, list[str]] = {}
        for param in spec.params:
            values: list[str] = list(param.enum[:CHOICES_PER_PARAM])
            if not values and param.choices_query and param.choices_query in catalog:
                listed = reference.run(catalog[param.choices_query].text, media_type=JSON)
                rows = json.loads(listed.body)["results"]["bindings"]
                values = [row["value"]["value"] for row in rows[:CHOICES_PER_PARAM] if "value" in row]
            choices[param.name] = values or list(FALLBACK.get(param.type, ()))
        needed = [p.name for p in spec.params if p.required and p.default is None and choices[p.name]]
        base = {n: choices[n][i % len(choices[n])] for i, n in enumerate(needed)}
        yield name, spec.bind(base)
        for param in spec.params:
            for value in choices[param.name]:
                yield f"{name}?{param.name}={value}", spec.bind({**base, param.name: value})


Cell = tuple[str, str, str, str]
Rows = list[tuple[Cell, ...]]


def canonical(body: bytes, separators: tuple[str, ...] = ()) -> tuple[tuple[str, ...], Rows]:
    """Variables and the sorted solutions of a SPARQL JSON result, blank nodes as one label."""
    doc = json.loads(body)
    # a GROUP_CONCAT may sit in parentheses inside a computed label ("name (§1.4, §1.3)"): the
    # parentheses split too, so its parts compare in any order and apart from the text around them
    split = (re.compile("|".join([*(re.escape(sep) for sep in separators), r" \(", r"\)"]))
             if separators else None)
    if "boolean" in doc:
        return ("boolean",), [((str(doc["boolean"]), "", "", ""),)]
    head = tuple(doc["head"]["vars"])
    rows = []
    for row in doc["results"]["bindings"]:
        cells = []
        for var in head:
            cell = row.get(var)
            if cell is None:
                cells.append(("", "", "", ""))
                continue
            value = "_:b" if cell["type"] == "bnode" else cell["value"]
            if split is not None:  # GROUP_CONCAT: SPARQL 1.1 leaves the order of the parts open
                value = "\x00".join(sorted(split.split(value)))
            cells.append((cell["type"].replace("typed-literal", "literal"), value,
                          cell.get("datatype", ""), cell.get("xml:lang", "")))
        rows.append(tuple(cells))
    return head, sorted(rows)


def differences(reference: QueryEngine, other: QueryEngine,
                only: Callable[[str], bool] | None = None) -> dict[str, str]:
    """Query -> what differs, for every case (or every case ``only`` keeps) that does not give the
    same answer."""
    catalog = load_catalog()
    out: dict[str, str] = {}
    for label, subs in cases(reference):
        if only is not None and not only(label):
            continue
        text = catalog[label.split("?")[0]].text
        seps = tuple(_SEPARATOR.findall(text))
        want = canonical(reference.run(text, media_type=JSON, substitutions=subs).body, seps)
        try:
            got = canonical(other.run(text, media_type=JSON, substitutions=subs).body, seps)
        except Exception as exc:  # noqa: BLE001  (reported per query)
            out[label] = f"{type(exc).__name__}: {exc}"
            continue
        if got != want:
            missing = [r for r in want[1] if r not in got[1]][:3]
            extra = [r for r in got[1] if r not in want[1]][:3]
            out[label] = (f"vars {want[0]} vs {got[0]}; {len(want[1])} vs {len(got[1])} rows; "
                          f"missing {missing}; extra {extra}")
    return out
