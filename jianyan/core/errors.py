"""Domain errors: each carries a Chinese message and the HTTP status the API gives it."""


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}


class InvalidInput(DomainError):
    status = 400
    code = "invalid"


class NotAllowed(DomainError):
    """The user may see the record but not do this to it."""

    status = 403
    code = "forbidden"


class NotFound(DomainError):
    """Missing, or not visible to this user: the two are never told apart."""

    status = 404
    code = "not_found"

    def __init__(self, message: str = "记录不存在或您无权查看", **kwargs):
        super().__init__(message, **kwargs)


class InvalidState(DomainError):
    """Not allowed in the current state, often because someone else acted first."""

    status = 409
    code = "invalid_state"


class Conflict(DomainError):
    """The record changed since the user loaded it."""

    status = 409
    code = "conflict"


class StorageFull(DomainError):
    """The server could not store a file (full disk, no permission): nothing was saved."""

    status = 507
    code = "storage_full"
