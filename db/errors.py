"""Expected failures that reach the user as one plain Chinese sentence."""


class UserError(Exception):
    """A failure the user can act on (bad file, unknown unit, wrong period); message is Chinese."""

    def __init__(self, message: str, details: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []

    def __str__(self) -> str:
        if not self.details:
            return self.message
        return self.message + "\n" + "\n".join(self.details)
