"""Identity matching (DESIGN 2 "Identity"): a verified NHS number links
deterministically; otherwise Splink, on its embedded DuckDB engine, scores candidate
pairs and the match probability decides: link, review or new person.

Layers: `prepare` and `settings` are pure functions that build the engine's inputs
(rows and the Splink settings); `engine` is the thin adapter that runs Splink;
`outcomes` turns probabilities into decisions; `evaluate` scores against the
synthetic area's ground truth; `store` keeps trained models, versioned."""
