"""Domain failures. The API turns each into its one error shape; the admin shows the message."""


class DomainError(Exception):
    code = "domain_error"
    status_code = 400

    def __init__(self, message: str, *, code: str | None = None, fields: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code


class InvalidTransition(DomainError):
    """The request cannot move to that status from where it is, or not by this actor."""

    code = "invalid_transition"
    status_code = 409


class NotPermitted(DomainError):
    """The actor may see the object but may not do this to it."""

    code = "permission_denied"
    status_code = 403


class Conflict(DomainError):
    code = "conflict"
    status_code = 409


class UploadRejected(DomainError):
    """One or more uploaded files were refused; `fields` names each file and why. Nothing was stored."""

    code = "upload_rejected"
    status_code = 400
