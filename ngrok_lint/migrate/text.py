"""The input text as lines, shared by the writer and the comment placer.

Its own module so that `write` and `comments` both use it without importing each other.
"""

from __future__ import annotations

from typing import List


class WriteError(Exception):
    """The version 3 text could not be written exactly; the conversion then offers no fix."""


class Lines:
    """The input's lines without line ends, and how to join new lines the same way."""

    def __init__(self, text: str) -> None:
        crlf = text.count("\r\n")
        self.newline = "\r\n" if crlf > text.count("\n") - crlf else "\n"
        self.final_newline = text.endswith("\n")
        body = text[:-1] if self.final_newline else text
        self.lines = [line[:-1] if line.endswith("\r") else line for line in body.split("\n")] if text else []

    def join(self, lines: List[str]) -> str:
        text = self.newline.join(lines)
        return text + self.newline if self.final_newline and lines else text


def indentation(line: str) -> str:
    """The leading spaces of `line`."""
    return line[: len(line) - len(line.lstrip(" "))]
