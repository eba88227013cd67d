"""A label column beside each IRI column of a SELECT result (``labels=en`` on ``/sparql``).

Computed by the service after the query, through the engine interface, so it works on every engine
(embedded or remote): the query runs with SPARQL JSON results, the IRIs of its result are looked
up in one extra ``VALUES`` query, and the result is written in the requested format (SPARQL JSON,
XML, CSV or TSV) with a column ``?<var>Label`` right after each column ``?<var>`` that holds an IRI.

The label of an IRI is its ``rdfs:label`` (else ``skos:prefLabel``) in the requested language,
else in English, else in any language (a plain literal included); among equals the smallest text,
so the choice is stable. An IRI without any label gets no value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from ..errors import LabelRequestError  # noqa: F401 (defined in the one tree, re-exported here)
from .engine import QueryEngine

JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
FORMATS = (JSON, XML, CSV, TSV)

_LANG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
SUFFIX = "Label"

Binding = dict[str, dict[str, str]]


def parse_language(value: str) -> str:
    tag = value.strip()
    if not _LANG.match(tag):
        raise LabelRequestError(f"labels={value!r} is not a language tag: use e.g. labels=en or labels=fr")
    return tag.lower()


def labels_query(iris: Iterable[str]) -> str:
    values = " ".join(f"<{iri}>" for iri in iris)
    return ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
            "SELECT ?item ?label ?pref WHERE {\n"
            f"  VALUES ?item {{ {values} }}\n"
            "  { ?item rdfs:label ?label BIND(0 AS ?pref) }\n"
            "  UNION { ?item skos:prefLabel ?label BIND(1 AS ?pref) }\n"
            "  FILTER(isLiteral(?label))\n}")


def _rank(lang: str, wanted: str, pref: int) -> tuple[int, int]:
    lang = lang.lower()
    if lang == wanted:
        score = 0
    elif lang.split("-")[0] == wanted.split("-")[0]:
        score = 1
    elif lang == "en":
        score = 2
    elif lang.startswith("en-"):
        score = 3
    else:
        score = 4
    return score, pref


def choose_labels(bindings: Iterable[Binding], wanted: str) -> dict[str, dict[str, str]]:
    """IRI -> the label binding to show, from the rows of `labels_query`."""
    best: dict[str, tuple[tuple[int, int], str, dict[str, str]]] = {}
    for row in bindings:
        item, label = row.get("item"), row.get("label")
        if not item or not label:
            continue
        pref = int(row.get("pref", {}).get("value", "0"))
        rank = _rank(label.get("xml:lang", ""), wanted, pref)
        key = (rank, label["value"], label)
        held = best.get(item["value"])
        if held is None or key[:2] < held[:2]:
            best[item["value"]] = key
    return {iri: {k: v for k, v in held[2].items() if k in ("type", "value", "xml:lang", "datatype")}
            for iri, held in best.items()}


def with_labels(results: Mapping[str, Any], labels: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """A SPARQL JSON SELECT result with the label columns added."""
    variables: list[str] = list(results["head"]["vars"])
    bindings: list[Binding] = results["results"]["bindings"]
    iri_vars = [v for v in variables
                if any(b.get(v, {}).get("type") == "uri" for b in bindings) and v + SUFFIX not in variables]
    out_vars: list[str] = []
    for v in variables:
        out_vars.append(v)
        if v in iri_vars:
            out_vars.append(v + SUFFIX)
    out_rows = []
    for row in bindings:
        new = dict(row)
        for v in iri_vars:
            term = row.get(v)
            if term and term.get("type") == "uri" and term["value"] in labels:
                new[v + SUFFIX] = dict(labels[term["value"]])
        out_rows.append(new)
    return {"head": {**results["head"], "vars": out_vars}, "results": {"bindings": out_rows}}


def label_result(json_body: bytes, engine: QueryEngine, language: str, media_type: str, *,
                 timeout: float | None = None) -> bytes:
    """The SELECT result ``json_body`` (SPARQL JSON) with label columns, written as ``media_type``.
    ASK results are written unchanged (converted to the format)."""
    results = json.loads(json_body)
    if "boolean" in results:
        return write(results, media_type)
    iris = sorted({t["value"] for row in results["results"]["bindings"] for t in row.values()
                   if t.get("type") == "uri"})
    labels: dict[str, dict[str, str]] = {}
    if iris:
        found = engine.run(labels_query(iris), media_type=JSON, timeout=timeout)
        labels = choose_labels(json.loads(found.body)["results"]["bindings"], language)
    return write(with_labels(results, labels), media_type)


# -- writers (SPARQL 1.1 Query Results JSON, XML, CSV and TSV formats) ----------------------------

def write(results: Mapping[str, Any], media_type: str) -> bytes:
    if media_type == JSON:
        return json.dumps(results, ensure_ascii=False).encode("utf-8")
    if media_type == XML:
        return _xml(results).encode("utf-8")
    if "boolean" in results:
        return ("true" if results["boolean"] else "false").encode() + b"\n"
    if media_type == CSV:
        return _csv(results).encode("utf-8")
    if media_type == TSV:
        return _tsv(results).encode("utf-8")
    raise ValueError(f"labels cannot be written as {media_type}")


def _csv_field(text: str) -> str:
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv(results: Mapping[str, Any]) -> str:
    variables = results["head"]["vars"]
    lines = [",".join(_csv_field(v) for v in variables)]
    for row in results["results"]["bindings"]:
        cells = []
        for v in variables:
            term = row.get(v)
            if term is None:
                cells.append("")
            elif term["type"] == "bnode":
                cells.append(_csv_field("_:" + term["value"]))
            else:
                cells.append(_csv_field(term["value"]))
        lines.append(",".join(cells))
    return "\r\n".join(lines) + "\r\n"


def _tsv_literal(text: str) -> str:
    return '"' + (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                  .replace("\r", "\\r").replace("\t", "\\t")) + '"'


def _tsv_term(term: Mapping[str, str] | None) -> str:
    if term is None:
        return ""
    if term["type"] == "uri":
        return f"<{term['value']}>"
    if term["type"] == "bnode":
        return "_:" + term["value"]
    text = _tsv_literal(term["value"])
    if "xml:lang" in term:
        return f"{text}@{term['xml:lang']}"
    if "datatype" in term and term["datatype"] != "http://www.w3.org/2001/XMLSchema#string":
        return f"{text}^^<{term['datatype']}>"
    return text


def _tsv(results: Mapping[str, Any]) -> str:
    variables = results["head"]["vars"]
    lines = ["\t".join("?" + v for v in variables)]
    for row in results["results"]["bindings"]:
        lines.append("\t".join(_tsv_term(row.get(v)) for v in variables))
    return "\n".join(lines) + "\n"


def _xml(results: Mapping[str, Any]) -> str:
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    if "boolean" in results:
        out += ["</head>", f"<boolean>{'true' if results['boolean'] else 'false'}</boolean>", "</sparql>"]
        return "\n".join(out) + "\n"
    variables = results["head"]["vars"]
    out += [f"<variable name={quoteattr(v)}/>" for v in variables]
    out += ["</head>", "<results>"]
    for row in results["results"]["bindings"]:
        out.append("<result>")
        for v in variables:
            term = row.get(v)
            if term is None:
                continue
            if term["type"] == "uri":
                inner = f"<uri>{escape(term['value'])}</uri>"
            elif term["type"] == "bnode":
                inner = f"<bnode>{escape(term['value'])}</bnode>"
            else:
                attrs = ""
                if "xml:lang" in term:
                    attrs = f" xml:lang={quoteattr(term['xml:lang'])}"
                elif "datatype" in term:
                    attrs = f" datatype={quoteattr(term['datatype'])}"
                inner = f"<literal{attrs}>{escape(term['value'])}</literal>"
            out.append(f"<binding name={quoteattr(v)}>{inner}</binding>")
        out.append("</result>")
    out += ["</results>", "</sparql>"]
    return "\n".join(out) + "\n"
