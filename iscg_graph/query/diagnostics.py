"""Errors and warnings a person can act on, for SPARQL queries sent to the service.

`explain` turns a parser error (with its position) into one plain sentence plus a fix where one is
known:

- an undeclared prefix: the ``PREFIX`` line to add, for every prefix the service knows
  (`iscg_graph.vocab.prefixes`), or the line to complete when it knows none;
- a variable selected beside an aggregate but not grouped (the parser says "unbound"): the
  ``GROUP BY`` clause to add;
- anything else: the parser's own expectation, shortened, at its line and column.

`unknown_terms` finds classes and properties a query names that are in neither the ontology nor the
data (``iscg:Questoin``) and suggests the nearest known terms by edit distance: such a query runs
(it is valid SPARQL) but answers nothing, so the service reports a warning, not an error.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from ..errors import QuerySyntaxError
from .safety import Token, token_list

_PARSER_DETAIL_MAX = 160
_AGGREGATES = frozenset({"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"})


@dataclass(frozen=True)
class Diagnosis:
    """One syntax error, explained: ``sentence`` says what is wrong, ``fix`` what to write."""

    sentence: str
    fix: str = ""
    line: int | None = None
    column: int | None = None
    parser: str = ""  # the parser's own message, shortened

    def message(self) -> str:
        where = f"line {self.line}, column {self.column}: " if self.line is not None else ""
        text = f"SPARQL syntax error at {where}{self.sentence}"
        if self.fix:
            text += f"\nFix: {self.fix}"
        if self.parser:
            text += f"\n(parser: {self.parser})"
        return text

    def to_json(self) -> dict[str, object]:
        return {"sentence": self.sentence, "fix": self.fix, "line": self.line, "column": self.column,
                "parser": self.parser}


def _shorten(parser_message: str) -> str:
    flat = " ".join(parser_message.split())
    return flat if len(flat) <= _PARSER_DETAIL_MAX else flat[:_PARSER_DETAIL_MAX - 1] + "…"


def declared_prefixes(tokens: Iterable[Token]) -> set[str]:
    toks = list(tokens)
    out = set()
    for i, tok in enumerate(toks[:-1]):
        if tok.kind == "word" and tok.text.upper() == "PREFIX" and toks[i + 1].kind == "pname":
            out.add(toks[i + 1].text.partition(":")[0])
    return out


def undeclared_prefixes(query: str) -> list[str]:
    """Prefixes used in prefixed names but never declared, in order of first use."""
    toks = token_list(query)
    declared = declared_prefixes(toks)
    seen: list[str] = []
    for i, tok in enumerate(toks):
        if tok.kind != "pname":
            continue
        if i > 0 and toks[i - 1].kind == "word" and toks[i - 1].text.upper() == "PREFIX":
            continue
        prefix = tok.text.partition(":")[0]
        if prefix not in declared and prefix not in seen:
            seen.append(prefix)
    return seen


def _prefix_fix(missing: list[str], known: Mapping[str, str]) -> tuple[str, str]:
    names = ", ".join(f"{p}:" for p in missing)
    sentence = (f"the prefix {names} is used but not declared" if len(missing) == 1
                else f"the prefixes {names} are used but not declared")
    lines = []
    for p in missing:
        if p in known:
            lines.append(f"PREFIX {p}: <{known[p]}>")
        else:
            lines.append(f"PREFIX {p}: <…the namespace IRI…>  (this service knows no namespace for {p}:)")
    return sentence + ".", "add at the top of the query: " + "  ".join(lines)


def _select_clause(toks: tuple[Token, ...]) -> tuple[list[str], bool, set[str]]:
    """(plain projected variables, whether the projection has an aggregate, GROUP BY variables)
    of the first SELECT of the query."""
    start = next((i for i, t in enumerate(toks) if t.kind == "word" and t.text.upper() == "SELECT"), None)
    plain: list[str] = []
    aggregate = False
    grouped: set[str] = set()
    if start is None:
        return plain, aggregate, grouped
    depth = 0
    for tok in toks[start + 1:]:
        upper = tok.text.upper()
        if depth == 0 and (tok.text == "{" or upper in ("WHERE", "FROM")):
            break
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
        elif tok.kind == "word" and upper in _AGGREGATES:
            aggregate = True
        elif tok.kind == "var" and depth == 0:
            plain.append(tok.text)
    for i, tok in enumerate(toks[:-1]):
        if tok.kind == "word" and tok.text.upper() == "GROUP" and toks[i + 1].text.upper() == "BY":
            for later in toks[i + 2:]:
                if later.kind == "var":
                    grouped.add(later.text)
                elif later.kind == "word" and later.text.upper() in ("HAVING", "ORDER", "LIMIT", "OFFSET",
                                                                     "VALUES"):
                    break
    return plain, aggregate, grouped


def explain(query: str, error: QuerySyntaxError, known: Mapping[str, str]) -> Diagnosis:
    """The error in one sentence, with a fix when one is known; keeps the parser's position."""
    raw = error.message
    line, column = error.line, error.column
    if "Prefix not found" in raw:
        missing = undeclared_prefixes(query)
        if missing:
            sentence, fix = _prefix_fix(missing, known)
            return Diagnosis(sentence, fix, line, column, _shorten(raw))
    if "variable that is unbound" in raw:
        plain, aggregate, grouped = _select_clause(token_list(query))
        ungrouped = [v for v in plain if v not in grouped]
        if aggregate and ungrouped:
            names = " ".join(ungrouped)
            sentence = (f"{names} {'is' if len(ungrouped) == 1 else 'are'} selected beside an aggregate "
                        "but not grouped, so it has no single value per result row.")
            clause = " ".join(sorted(grouped | set(ungrouped), key=lambda v: plain.index(v)
                                     if v in plain else len(plain)))
            fix = (f"add GROUP BY {clause} after the WHERE clause "
                   f"(or wrap it in an aggregate: SAMPLE({ungrouped[0]}))")
            return Diagnosis(sentence, fix, line, column, _shorten(raw))
        return Diagnosis("the SELECT clause names a variable the query cannot bind.",
                         "select only variables of the WHERE clause, or bind it with (expression AS ?name)",
                         line, column, _shorten(raw))
    expected = raw.removeprefix("expected one of ").split(", [")[0] if raw.startswith("expected") else ""
    if "LATERAL" in expected:  # what may follow a complete pattern: the one before it is not complete
        sentence = ("the graph pattern cannot go on here: check that the triple before this point has "
                    "a subject, a predicate and an object, and that every '{' is closed by '}'.")
    elif expected:
        sentence = f"the query stops parsing here; the parser expected {expected} (or another token)."
    else:
        sentence = "the query does not parse here."
    return Diagnosis(sentence, "", line, column, _shorten(raw))


# -- unknown terms ------------------------------------------------------------------------------

@dataclass(frozen=True)
class TermWarning:
    term: str  # as written in the query (prefixed name or <IRI>)
    iri: str
    suggestions: tuple[str, ...] = field(default=())

    def message(self) -> str:
        text = f"{self.term} is in neither the ontology nor the data, so it matches nothing"
        if self.suggestions:
            text += "; did you mean " + " or ".join(self.suggestions) + "?"
        return text


def namespace(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[:cut + 1] if cut >= 0 else ""


def edit_distance(a: str, b: str, *, fold_case: bool = True) -> int:
    """Levenshtein distance (insert, delete, substitute), case-insensitive unless told."""
    if fold_case:
        a, b = a.lower(), b.lower()
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _query_iris(query: str) -> list[tuple[str, str]]:
    """(as written, full IRI) of every IRI and prefixed name in the query's body."""
    toks = token_list(query)
    prefixes: dict[str, str] = {}
    out: list[tuple[str, str]] = []
    for i, tok in enumerate(toks):
        kind = tok.kind
        if kind != "pname" and kind != "iri":  # most tokens of a query: looked at once
            continue
        if kind == "pname" and _declares(toks, i - 1) and i + 1 < len(toks) and toks[i + 1].kind == "iri":
            prefixes[tok.text.partition(":")[0]] = toks[i + 1].text[1:-1]
            continue
        if kind == "iri" and _declares(toks, i - 2):
            continue
        if _not_a_term(toks, i):
            continue
        if kind == "pname":
            prefix, _, local = tok.text.partition(":")
            if prefix in prefixes and local:
                out.append((tok.text, prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)))
        else:
            out.append((tok.text, tok.text[1:-1]))
    return out


def _declares(toks: tuple[Token, ...], i: int) -> bool:
    """Token ``i`` is the word PREFIX."""
    return i >= 0 and toks[i].kind == "word" and toks[i].text.upper() == "PREFIX"


def _not_a_term(toks: tuple[Token, ...], i: int) -> bool:
    """A datatype (after ``^^``) or a function (before ``(``): not a class or property."""
    datatype = i > 1 and toks[i - 1].text == "^" and toks[i - 2].text == "^"
    return datatype or (i + 1 < len(toks) and toks[i + 1].text == "(")


def _written(iri: str, known_prefixes: Mapping[str, str]) -> str:
    best = max((p for p, ns in known_prefixes.items() if iri.startswith(ns)),
               key=lambda p: len(known_prefixes[p]), default=None)
    return f"{best}:{iri[len(known_prefixes[best]):]}" if best is not None else f"<{iri}>"


def unknown_terms(query: str, known_terms: Collection[str], known_prefixes: Mapping[str, str],
                  *, limit: int = 3) -> list[TermWarning]:
    """Terms of a vocabulary namespace (one that holds a known class or property) that the query
    names but that are unknown, each with up to ``limit`` nearest known terms of that namespace.
    IRIs in other namespaces (resources, datatypes, functions) are never judged."""
    by_namespace = _vocabularies(known_terms)
    warnings: list[TermWarning] = []
    seen: set[str] = set()
    for written, iri in _query_iris(query):
        ns = namespace(iri)
        if iri in seen or iri in known_terms or ns not in by_namespace:
            continue
        seen.add(iri)
        local = iri[len(ns):]
        cap = max(2, len(local) // 3)
        # nearest first; among equals, the one whose case matches better (studygroup: studyGroup)
        scored = sorted((edit_distance(local, t[len(ns):]),
                         edit_distance(local, t[len(ns):], fold_case=False), t) for t in by_namespace[ns])
        near = tuple(_written(t, known_prefixes) for d, _, t in scored[:limit] if d <= cap)
        warnings.append(TermWarning(written, iri, near))
    return warnings


def _vocabularies(known_terms: Collection[str]) -> Mapping[str, list[str]]:
    """The known terms by namespace: grouped once per set the service holds (it asks for every
    query it plans, and the grouping costs more than the query's own check)."""
    if isinstance(known_terms, frozenset):
        return _grouped(known_terms)
    return _group(known_terms)


@lru_cache(maxsize=4)
def _grouped(known_terms: frozenset[str]) -> Mapping[str, list[str]]:
    return _group(known_terms)


def _group(known_terms: Iterable[str]) -> dict[str, list[str]]:
    by_namespace: dict[str, list[str]] = {}
    for term in known_terms:
        by_namespace.setdefault(namespace(term), []).append(term)
    return by_namespace


def warning_header(warnings: Iterable[TermWarning]) -> str:
    """One header value (ASCII: IRIs are written as in the query, non-ASCII escaped)."""
    text = " | ".join(w.message() for w in warnings)
    return text.encode("ascii", "backslashreplace").decode("ascii")
