"""A canned query as the workbench shows it: without its ``#+`` metadata lines, and with the values
chosen in its parameter form bound by a ``VALUES`` block.

The API and the reports bind parameters as typed substitutions, never by editing the text. The
workbench's editor can only send text, so the chosen values, checked and typed by `QuerySpec.bind`
exactly as for the API (a value is never spliced in as written: only its N-Triples term), replace
the variable in the text the way the substitution replaces it before evaluation. A test compares
the rows of both for every parameter of every canned query.
"""

from __future__ import annotations

from collections.abc import Mapping

from .catalog import QuerySpec
from .safety import token_list


def strip_metadata(text: str) -> str:
    """The query text without its ``#+`` header lines (and the blank lines right after them)."""
    lines = text.splitlines(keepends=True)
    i = 0
    while i < len(lines) and lines[i].startswith("#+"):
        i += 1
    if i:
        while i < len(lines) and not lines[i].strip():
            i += 1
    return "".join(lines[i:])


def substitute(text: str, terms: Mapping[str, str]) -> str:
    """The text with each variable of ``terms`` replaced by its (N-Triples) term, as Oxigraph's
    substitutions replace it before evaluation: ``(<term> AS ?v)`` where the outermost SELECT
    projects it (sub-SELECTs drop it from their projection),
    ``(<term>)`` in GROUP BY and ORDER BY, ``true`` for ``BOUND(?v)``, the bare term elsewhere."""
    toks = token_list(text)
    out: list[str] = []
    last = 0
    clause = ""  # SELECT (projection), GROUP / ORDER (conditions) or "" (patterns, expressions)
    depth = 0
    selects = 0  # SELECT keywords seen: the first is the outermost query's
    i = 0
    while i < len(toks):
        tok = toks[i]
        upper = tok.text.upper() if tok.kind == "word" else ""
        if upper in ("SELECT", "GROUP", "ORDER"):
            clause, depth = upper, 0
            selects += upper == "SELECT"
        elif upper in ("WHERE", "HAVING", "LIMIT", "OFFSET", "VALUES") or tok.text in ("{", "}"):
            clause = ""
        elif tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
        name = tok.text[1:] if tok.kind == "var" else ""
        if name in terms:
            term = terms[name]
            if upper == "" and i >= 2 and toks[i - 1].text == "(" and toks[i - 2].text.upper() == "BOUND" \
                    and i + 1 < len(toks) and toks[i + 1].text == ")":
                start, end, new = toks[i - 2].offset, toks[i + 1].offset + 1, "true"
                i += 1
            else:
                start, end = tok.offset, tok.offset + len(tok.text)
                if clause == "SELECT" and depth == 0:  # a sub-SELECT no longer projects it
                    new = f"({term} AS {tok.text})" if selects == 1 else ""
                elif clause in ("GROUP", "ORDER") and depth == 0:
                    new = f"({term})"
                else:
                    new = term
            out += [text[last:start], new]
            last = end
        i += 1
    out.append(text[last:])
    return "".join(out)


def bound_text(spec: QuerySpec, values: Mapping[str, str], base_iri: str) -> str:
    """The workbench text of ``spec`` with ``values`` (raw form values; an empty one takes the
    parameter's default, as in the API). Raises `ParameterError` for a bad name or value."""
    given = {k: v for k, v in values.items() if v is not None and v.strip() != ""}
    terms = spec.bind(given, base_iri)  # as the API: checked, typed, defaults applied
    return substitute(strip_metadata(spec.text), terms)
