"""Which focus nodes a change can affect: the shapes' reach, read from the shapes themselves.

A SHACL result for a focus node ``x`` depends only on the triples met when walking from ``x`` along
the shape's *access paths*: the property paths of its property shapes (and of nested shapes,
``sh:node``, ``sh:qualifiedValueShape``, ``sh:and/or/xone/not``), one step further over
``rdf:type`` where ``sh:class`` reads a value's type, ``sh:equals``/``sh:disjoint``/``sh:lessThan``'s
predicate, and, for a SPARQL-based constraint, every route from ``$this`` through the triple
patterns of its query (property paths expanded, inverse steps included). A step is a predicate
and a direction.

A changed triple ``(s p o)`` is met from ``x`` exactly when some access path has a step over ``p``
(forward: arriving at ``s``; inverse: at ``o``) and ``x`` reaches that node along the steps before
it. So the focus nodes whose results can differ are found by walking those prefixes *backwards*
from ``s`` / ``o``, in the data before and after the change (`affected`). Every other focus node
meets the same triples before and after, so it has the same results: validating only the affected
nodes gives the whole validation's results for them, and the others' are unchanged.

The reach is unbounded, and `access_paths` answers None (validate everything), when a shape uses
``sh:closed``, a ``*``/``+`` path, a SPARQL query with a variable predicate, a pattern not
connected to ``$this``, or ``$PATH``; `affected` answers None for a change to ``rdfs:subClassOf``
(``sh:class`` and class targets follow it) or one with blank nodes (no focus can name them).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from rdflib import BNode, Graph, Literal, Node, URIRef, Variable
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.paths import AlternativePath, InvPath, MulPath, Path, SequencePath

from .sparql_parser import prepare_query

__all__ = ["AccessPath", "Step", "TripleSource", "access_paths", "affected", "neighbourhood"]

Step = tuple[str, bool]  # predicate IRI, forward?
AccessPath = tuple[Step, ...]
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
_NESTED = (SH.node, SH.qualifiedValueShape, SH["not"])
_LISTS = (SH["and"], SH["or"], SH.xone)
_PAIR = (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals)


class TripleSource(Protocol):
    """The reads `affected` and `neighbourhood` make: an rdflib graph, or a view answering them
    by store lookups (`iscg_graph.curation.focus_graph`)."""

    def triples(self, pattern: Any, /) -> Iterator[Any]: ...
    def subjects(self, predicate: Any = ..., object: Any = ..., /) -> Iterator[Any]: ...  # noqa: A002
    def objects(self, subject: Any = ..., predicate: Any = ..., /) -> Iterator[Any]: ...


class _Unbounded(Exception):  # noqa: N818 - internal control flow only, never leaves this module
    pass


def _reverse(seq: AccessPath) -> AccessPath:
    return tuple((p, not forward) for p, forward in reversed(seq))


def _shacl_path(g: Graph, path: Node) -> list[AccessPath]:
    if isinstance(path, URIRef):
        return [((str(path), True),)]
    if (inverse := g.value(path, SH.inversePath)) is not None:
        return [_reverse(s) for s in _shacl_path(g, inverse)]
    if (alternatives := g.value(path, SH.alternativePath)) is not None:
        return [s for member in Collection(g, alternatives) for s in _shacl_path(g, member)]
    if (optional := g.value(path, SH.zeroOrOnePath)) is not None:
        return [(), *_shacl_path(g, optional)]
    if g.value(path, SH.zeroOrMorePath) is not None or g.value(path, SH.oneOrMorePath) is not None:
        raise _Unbounded("a path of any length")
    if g.value(path, RDF.first) is not None:  # a sequence
        out: list[AccessPath] = [()]
        for member in Collection(g, path):
            out = [a + b for a in out for b in _shacl_path(g, member)]
        return out
    raise _Unbounded(f"an unknown path form {path!r}")


def _value_paths(g: Graph, shape: Node, depth: int, *, own_path: bool = True) -> set[AccessPath]:
    """Access paths from a node that ``shape``'s node-level constraints validate (``own_path``
    False: a property shape's constraints on its value nodes, its sh:path left aside)."""
    if depth > 12:
        raise _Unbounded("shapes nested too deep (recursive shapes)")
    out: set[AccessPath] = {()}
    if any(isinstance(v, Literal) and v.toPython() is True for v in g.objects(shape, SH.closed)):
        raise _Unbounded("sh:closed reads every predicate")
    if (shape, SH["class"], None) in g:
        out.add(((str(RDF.type), True),))
    for nested in (n for key in _NESTED for n in g.objects(shape, key)):
        out |= _value_paths(g, nested, depth + 1)
    for members in (m for key in _LISTS for m in g.objects(shape, key)):
        for member in Collection(g, members):
            out |= _value_paths(g, member, depth + 1)
    for prop in g.objects(shape, SH.property):
        out |= _property_paths(g, prop, depth + 1)
    for constraint in g.objects(shape, SH.sparql):
        out |= _sparql_paths(g, constraint)
    if own_path and (shape, SH.path, None) in g:  # a property shape met as a member: its own paths
        out |= _property_paths(g, shape, depth + 1)
    return out


def _property_paths(g: Graph, prop: Node, depth: int) -> set[AccessPath]:
    path = g.value(prop, SH.path)
    if path is None:
        return _value_paths(g, prop, depth)
    if any(True for _ in g.objects(prop, SH.sparql)):
        raise _Unbounded("a SPARQL constraint on a property shape ($PATH)")
    values = _value_paths(g, prop, depth, own_path=False)  # the value nodes' constraints
    out = {prefix + v for prefix in _shacl_path(g, path) for v in values}
    out |= {((str(p), True),) for key in _PAIR for p in g.objects(prop, key)}  # read from the focus
    return out


# -- SPARQL-based constraints ------------------------------------------------------------------------

def _translated(node: Any) -> Any:
    """An EXISTS / NOT EXISTS pattern is left in parse form by the query's translation: translate it."""
    from rdflib.plugins.sparql.algebra import translateGroupGraphPattern, translatePath, traverse

    return translateGroupGraphPattern(traverse(node, visitPost=translatePath))


def _groups(node: Any, out: list[list[tuple[Any, Any, Any]]], flags: set[str]) -> list[tuple[Any, Any, Any]]:
    """The triple patterns of ``node`` outside any EXISTS; each EXISTS group's patterns are appended
    to ``out`` (nested ones too). ``flags`` collects UNION / OPTIONAL / MINUS met."""
    here: list[tuple[Any, Any, Any]] = []
    if isinstance(node, dict):
        name = getattr(node, "name", "")
        if name in ("Union", "LeftJoin", "Minus"):
            flags.add(name)
        if name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
            inner = node.get("graph")
            if getattr(inner, "name", "") == "GroupGraphPatternSub":
                inner = _translated(inner)
            out.append(_groups(inner, out, flags))
            return here
        for key, value in node.items():
            if key == "triples" and isinstance(value, list):
                here += [t for t in value if isinstance(t, tuple) and len(t) == 3]
            else:
                here += _groups(value, out, flags)
    elif isinstance(node, list | tuple):
        for value in node:
            here += _groups(value, out, flags)
    return here


def _sparql_steps(p: Any) -> list[AccessPath]:
    if isinstance(p, URIRef):
        return [((str(p), True),)]
    if isinstance(p, InvPath):
        return [_reverse(s) for s in _sparql_steps(p.arg)]
    if isinstance(p, SequencePath):
        out: list[AccessPath] = [()]
        for member in p.args:
            out = [a + b for a in out for b in _sparql_steps(member)]
        return out
    if isinstance(p, AlternativePath):
        return [s for member in p.args for s in _sparql_steps(member)]
    if isinstance(p, MulPath) and p.mod == "?":
        return [(), *_sparql_steps(p.path)]
    raise _Unbounded(f"query path {p!r}" if isinstance(p, Path) else f"query predicate {p!r}")


def _prefixes(g: Graph, constraint: Node) -> dict[str, str]:
    found: dict[str, str] = {}
    for holder in g.objects(constraint, SH.prefixes):
        for declaration in g.objects(holder, SH.declare):
            prefix, namespace = g.value(declaration, SH.prefix), g.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                found[str(prefix)] = str(namespace)
    return found


def _sparql_paths(g: Graph, constraint: Node) -> set[AccessPath]:
    text = g.value(constraint, SH.select) or g.value(constraint, SH.ask)
    if text is None:
        raise _Unbounded("a SPARQL constraint without sh:select / sh:ask")
    if "$PATH" in str(text):
        raise _Unbounded("$PATH")
    query = prepare_query(str(text), _prefixes(g, constraint))
    exists: list[list[tuple[Any, Any, Any]]] = []
    flags: set[str] = set()
    main = _groups(query.algebra, exists, flags)
    out: set[AccessPath] = set()
    if flags:  # a pattern may be reached only through one branch: every route, to be sound
        out |= _routes([*main, *(t for group in exists for t in group)], None)
    else:  # a conjunctive pattern: in any (inner) solution every route is matched, so the shortest do
        out |= _routes(main, None, shortest=True)
        for group in exists:
            out |= _routes([*main, *group], set(range(len(main), len(main) + len(group))), shortest=True)
    return out


def _routes(triples: list[tuple[Any, Any, Any]], wanted: set[int] | None, *,
            shortest: bool = False) -> set[AccessPath]:
    """Routes from ``$this`` to the patterns (``wanted``: only to those), over simple pattern chains;
    ``shortest``: one route per pattern, the shortest (enough where every pattern is matched in a
    solution: a conjunctive query and its EXISTS groups)."""
    patterns = [(s, _sparql_steps(p), o) for s, p, o in triples]
    this = Variable("this")
    found: dict[tuple[int, bool], set[AccessPath]] = {}

    def explore(node: Any, prefix: AccessPath, used: frozenset[int]) -> None:
        for index, (s, alternatives, o) in enumerate(patterns):
            if index in used:
                continue
            for seq in alternatives:
                for start, end, steps, forward in ((s, o, seq, True), (o, s, _reverse(seq), False)):
                    if start == node:
                        found.setdefault((index, forward), set()).add(prefix + steps)
                        if isinstance(end, Variable) and end != this:  # back at $this: a route of its own
                            explore(end, prefix + steps, used | {index})

    explore(this, (), frozenset())
    if {i for i, _ in found} != set(range(len(patterns))):
        raise _Unbounded("a query pattern not connected to $this")
    by_pattern: dict[int, set[AccessPath]] = {}
    for (index, _), routes in found.items():
        if wanted is None or index in wanted:
            by_pattern.setdefault(index, set()).update(routes)
    if not shortest:
        return {r for routes in by_pattern.values() for r in routes}
    # one route per pattern is enough: the shortest, with the fewest inverse steps (which fan out
    # from shared values: a Sector, a notation), then the first
    return {min(routes, key=lambda r: (len(r), sum(not f for _, f in r), r))
            for routes in by_pattern.values()}


def access_paths(shapes: Graph) -> frozenset[AccessPath] | None:
    """Every access path of every targeted shape (None: reach unbounded, validate everything)."""
    paths: set[AccessPath] = set()
    try:
        for shape in {s for key in _TARGETS for s in shapes.subjects(key, None)}:
            paths |= _value_paths(shapes, shape, 0)  # a targeted property shape: its own path too
    except _Unbounded:
        return None
    return frozenset(p for p in paths if p)


def affected(paths: frozenset[AccessPath], changed: Iterable[tuple[Node, Node, Node]],
             after: TripleSource) -> set[URIRef] | None:
    """The focus nodes whose results ``changed`` (triples added or removed) can alter: walked in
    ``after`` plus the removed triples (so in the data before and after). None: validate all."""
    changed = list(changed)
    if any(p == RDFS.subClassOf for _, p, _ in changed):
        return None
    if any(isinstance(t, BNode) for triple in changed for t in triple):
        return None
    by_predicate: dict[str, list[tuple[AccessPath, int]]] = {}
    for path in paths:
        for i, (predicate, _) in enumerate(path):
            by_predicate.setdefault(predicate, []).append((path, i))

    def back(node: Node, step: Step) -> set[Node]:
        predicate, forward = URIRef(step[0]), step[1]
        if forward:  # x --p--> node
            found = set(after.subjects(predicate, node))
            found |= {s for s, p, o in changed if p == predicate and o == node}
        else:  # node --p--> x
            found = set(after.objects(node, predicate))
            found |= {o for s, p, o in changed if p == predicate and s == node}
        return found

    nodes: set[Node] = {t for s, _, o in changed for t in (s, o)}
    for s, p, o in changed:
        for path, i in by_predicate.get(str(p), ()):
            frontier = {s if path[i][1] else o}
            for step in reversed(path[:i]):
                frontier = {x for n in frontier for x in back(n, step)}
                if not frontier:
                    break
            nodes |= frontier
    if any(isinstance(n, BNode) for n in nodes):
        return None
    return {n for n in nodes if isinstance(n, URIRef)}


def neighbourhood(paths: frozenset[AccessPath], nodes: set[URIRef],
                  graph: TripleSource) -> set[tuple[Node, Node, Node]]:
    """The triples of ``graph`` met from ``nodes`` along the access paths (and every triple about
    them): validating ``nodes`` there gives the results they have in the whole graph. The paths
    are walked as a tree of their steps: the nodes reached along a prefix several paths share
    (most paths start with one of a few dozen predicates) are found once."""
    found: set[tuple[Node, Node, Node]] = set()
    for node in nodes:
        found.update(graph.triples((node, None, None)))
    _walk(_tree(paths), set(nodes), graph, found)
    return found


_Tree = dict[tuple[URIRef, bool], "_Tree"]
_TREES: dict[frozenset[AccessPath], _Tree] = {}


def _tree(paths: frozenset[AccessPath]) -> _Tree:
    """The paths as a tree of steps (a path's steps from the root; shared prefixes shared)."""
    tree = _TREES.get(paths)
    if tree is None:
        tree = {}
        for path in paths:
            here = tree
            for predicate, forward in path:
                here = here.setdefault((URIRef(predicate), forward), {})
        if len(_TREES) >= 8:  # one set of shapes in practice: stay bounded anyway
            _TREES.clear()
        _TREES[paths] = tree
    return tree


def _walk(tree: _Tree, frontier: set[Node], graph: TripleSource, found: set[tuple[Node, Node, Node]]) -> None:
    for (p, forward), rest in tree.items():
        reached: set[Node] = set()
        for n in frontier:  # (the triples themselves: a graph's objects / subjects read them anyway)
            if forward:
                for triple in graph.triples((n, p, None)):
                    found.add(triple)
                    reached.add(triple[2])
            else:
                for triple in graph.triples((None, p, n)):
                    found.add(triple)
                    reached.add(triple[0])
        if reached and rest:
            _walk(rest, reached, graph, found)
