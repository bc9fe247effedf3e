"""REST API of care coordination: one router per resource, mounted in
`config/api.py`."""
