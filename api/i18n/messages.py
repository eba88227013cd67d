"""Messages the pages show that are written outside the templates and the query headers (by the
library or a router), marked here so ``make i18n`` extracts them; templates translate them with
the ``tr`` filter."""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, do not translate yet"
    return message


LIBRARY_MESSAGES = (
    # "Computed from" block of every report (iscg_graph.query.reports.ComputedFrom)
    N_("Data version"), N_("Data built at"), N_("Query"), N_("Parameters"), N_("none"), N_("unknown"),
    # form choices written by the reports router
    N_("General Secretariat"), N_("Any"),
    # the workbench's parameter forms (api.workbench_forms)
    N_("Default"),
    # titles of the example queries along the graph's main paths (iscg_graph.query.paths, /docs/examples)
    N_("A Question's study group, Sector and study period"),
    N_("Study groups as units of their Sector (W3C ORG)"),
    N_("The themes a Question addresses, and the list each theme is in"),
    N_("Cross-Sector mappings with their provenance"),
    N_("The versions of a Resolution, conference by conference"),
    # kinds of ontology terms (iscg_graph.linked_data.ontology_docs)
    N_("class"), N_("object property"), N_("datatype property"), N_("annotation property"), N_("property"),
    N_("controlled value"), N_("individual"),
    # roles of accounts (iscg_graph.curation.accounts.ROLES) and kinds of changes (history records)
    N_("reader"), N_("reviewer"), N_("editor"), N_("admin"),
    N_("sparql-update"), N_("graph-store"), N_("form"), N_("review"), N_("revert"), N_("replay"),
    N_("table-import"),
    # titles and messages of the curation pages (api.routers.account, api.routers.curate)
    N_("unknown name or wrong password"), N_("Not allowed"), N_("A comment is required"),
    N_("Choose a relation kind"), N_("Some decisions were not recorded"),
    # a release's changes (iscg_graph.build.diff_formats.to_html) and its dumps (build.publish.DUMPS)
    N_("change"), N_("item"), N_("label"), N_("removed"), N_("added"), N_("changed"), N_("retired"),
    N_("No item changed."), N_("Turtle (union of all named graphs), gzip"),
    N_("N-Quads (every named graph), gzip"),
    # column titles of the new-since downloads (iscg_graph.overlap.new_since.NEW_SINCE_COLUMNS)
    N_("What"), N_("Score"), N_("One side"), N_("Its study period"), N_("Other side"), N_("New item"),
    N_("Status"), N_("Why"),
)
