"""Reads in care coordination. One module per part; import them here."""

from joinedup.coordination.selectors.caseload import caseload_list

__all__ = ["caseload_list"]
