"""Domain errors carry a stable code, a Chinese message for users and details for machines."""


class DomainError(Exception):
    """A rule or input problem the user can fix. ``code`` is stable; ``message`` is zh-hans."""

    status = 400

    def __init__(self, code: str, message: str, **details):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "details": self.details}


class ValidationFailed(DomainError):
    """Input failed validation; ``details["field"]`` names the field (a dotted path)."""

    status = 422


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class Forbidden(DomainError):
    status = 403


class TooManyRequests(DomainError):
    """Throttled; ``details["retry_after"]`` is the wait in seconds."""

    status = 429
