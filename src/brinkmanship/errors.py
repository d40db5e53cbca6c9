"""One error type for bad user input: it names the file, the field, the line and the fix."""

from __future__ import annotations


class InputError(Exception):
    """Bad input from a user file or argument; the CLI prints it and exits with code 2."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        field: str | None = None,
        line: int | None = None,
        fix: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.field = field
        self.line = line
        self.fix = fix
        super().__init__(self.render())

    def render(self) -> str:
        """One readable message: `file:line: field: problem. Fix: ...`."""
        where = ""
        if self.file:
            where = str(self.file)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        field = f"{self.field}: " if self.field else ""
        fix = f" Fix: {self.fix}" if self.fix else ""
        message = self.message[:-1] if self.message.endswith(".") else self.message  # one period, not two
        return f"{where}{field}{message}.{fix}"
