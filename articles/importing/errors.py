class PostError(Exception):
    """A problem with one input file: reported with the file (and line) and the run goes on."""

    def __init__(self, message, line=None):
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self):
        return f"line {self.line}: {self.message}" if self.line else self.message
