"""SPARQL used by the library itself (stats); canned user-facing queries live in queries/."""

from functools import cache
from importlib.resources import files


@cache
def load(name: str) -> str:
    return (files(__package__) / f"{name}.rq").read_text("utf-8")
