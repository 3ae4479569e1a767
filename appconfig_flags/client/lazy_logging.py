"""A logger that imports :mod:`logging` only when a record could be emitted (a service's cold start).

``logging`` (with ``traceback``, ``textwrap`` and ``string``) costs about 4 ms to import, and a
service that never configures logging would pay it for the client's INFO line on the first load.
Until some code imports ``logging``, nothing can have configured it: its root logger's default
level, WARNING, would drop DEBUG and INFO records, so they are skipped without importing it.
WARNING and above import it and are emitted as before (to the last-resort handler if none is set).
"""
from __future__ import annotations

import sys

#: The standard levels, as :mod:`logging` numbers them.
DEBUG, INFO, WARNING, ERROR = 10, 20, 30, 40


class LazyLogger:
    """``logging.getLogger(name)``'s ``debug``/``info``/``warning``/``exception``/``log``, fetched on first use."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def debug(self, msg: str, *args: object) -> None:
        self._emit(DEBUG, msg, args, False)

    def info(self, msg: str, *args: object) -> None:
        self._emit(INFO, msg, args, False)

    def warning(self, msg: str, *args: object) -> None:
        self._emit(WARNING, msg, args, False)

    def exception(self, msg: str, *args: object) -> None:
        """An ERROR record with the exception being handled, as ``Logger.exception``."""
        self._emit(ERROR, msg, args, True)

    def log(self, level: int, msg: str, *args: object, exc_info: bool = False) -> None:
        self._emit(level, msg, args, exc_info)

    def _emit(self, level: int, msg: str, args: tuple[object, ...], exc_info: bool) -> None:
        if level < WARNING and "logging" not in sys.modules:
            return  # nothing imported logging, so nothing configured it: its default level drops this record
        import logging

        # stacklevel 3: the record names the caller of debug()/info()/..., not this module.
        logging.getLogger(self.name).log(level, msg, *args, exc_info=exc_info, stacklevel=3)
