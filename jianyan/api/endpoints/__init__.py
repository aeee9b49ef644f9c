"""The routers of the API, one module per part of the contract."""

from jianyan.api.errors import ErrorOut

ERROR_STATUSES = (400, 401, 403, 404, 409)


def responses(ok: dict, *errors: int) -> dict:
    """Response schemas of an operation: its success and the error statuses it may answer with."""
    return {**ok, **{code: ErrorOut for code in (errors or ERROR_STATUSES)}}
