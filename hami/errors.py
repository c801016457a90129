class DomainError(Exception):
    """A business rule said no. The message is translatable and meant for the user: views
    show it as it is (`messages.error(request, error.message)`)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message
