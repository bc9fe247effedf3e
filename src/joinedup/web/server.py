"""`joinedup serve`: Gunicorn serving the WSGI application."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from joinedup.config.wsgi import application

        return application


def serve(*, host: str, port: int, workers: int = 2, threads: int = 4) -> None:
    _Server(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "accesslog": None,  # URLs carry search terms: no access log
            "timeout": 60,
            "graceful_timeout": 5,
        }
    ).run()
