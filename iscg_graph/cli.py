"""The `iscg` command (placeholder until the build lands)."""

import typer

app = typer.Typer(help="ISCG knowledge graph: build, validate, query, analyse, report.")
