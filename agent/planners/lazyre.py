"""A regular expression compiled on its first use.

The rules planner's tables are a few hundred compiled patterns, and compiling them is a good
part of what a `samaudio plan` process spends before it reads anything. A pattern that only a
few instructions need (each caller tests cheap words first) is compiled when one of them comes.
"""

from __future__ import annotations

import re


class LazyPattern:
    """``re.compile(source)`` on first use; the methods the planner calls, with their signatures."""

    __slots__ = ("source", "_compiled")

    def __init__(self, source: str):
        self.source = source
        self._compiled: re.Pattern | None = None

    @property
    def compiled(self) -> re.Pattern:
        if self._compiled is None:
            self._compiled = re.compile(self.source)
        return self._compiled

    @property
    def groupindex(self):
        return self.compiled.groupindex

    def match(self, string: str, *args):
        return self.compiled.match(string, *args)

    def fullmatch(self, string: str, *args):
        return self.compiled.fullmatch(string, *args)

    def search(self, string: str, *args):
        return self.compiled.search(string, *args)

    def sub(self, repl, string: str, count: int = 0):
        return self.compiled.sub(repl, string, count)

    def finditer(self, string: str, *args):
        return self.compiled.finditer(string, *args)
