"""Every write of safeguarding work: typed, keyword-only, atomic, audited."""
