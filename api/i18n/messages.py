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
)
