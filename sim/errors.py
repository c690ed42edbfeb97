"""The one error class users see: a single line naming key, value and allowed range."""


class SimInputError(ValueError):
    """Bad input: unknown key, wrong type, value out of range, impossible geometry.

    The message is one line; the command line prints it and exits with code 2.
    """

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))
