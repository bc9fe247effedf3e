"""Funding models. One module per part (chc, packages, pooled); import them here."""
