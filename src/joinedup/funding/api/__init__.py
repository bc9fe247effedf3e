"""REST API of funding: the CHC rule endpoints and cases, care packages and
pooled budgets; one router per resource, mounted in `config/api.py`."""
