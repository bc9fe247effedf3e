"""Errors raised by services and selectors, mapped to HTTP statuses by the web, the
REST API and the CLI in one place each. Messages name the field and the problem and
never contain personal data."""

from __future__ import annotations


class DomainError(Exception):
    code = "error"
    status = 400

    def __init__(self, detail: str, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.fields = fields or {}


class InvalidInput(DomainError):
    code = "invalid"
    status = 400

    @classmethod
    def for_field(cls, field: str, problem: str) -> InvalidInput:
        return cls(f"{field}: {problem}", fields={field: problem})


class NotFound(DomainError):
    code = "not_found"
    status = 404


class AccessRefused(DomainError):
    code = "access_refused"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409
