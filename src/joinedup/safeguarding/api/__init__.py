"""REST API of safeguarding: cases and concerns, and each statutory step;
mounted in `config/api.py`."""
