"""Rotating log files in the user's log directory, set up once when duban starts (no Qt here)."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from platformdirs import user_log_dir

LOG_DIR_ENV = "DUBAN_LOG_DIR"
LOG_FILE_NAME = "duban.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(process)d %(threadName)s %(levelname)s %(name)s: %(message)s"

log = logging.getLogger("duban")

_handler: logging.handlers.RotatingFileHandler | None = None


def log_dir() -> Path:
    """Where the logs go: DUBAN_LOG_DIR if set, else the platform's user log directory."""
    override = os.environ.get(LOG_DIR_ENV)
    return Path(override) if override else Path(user_log_dir("duban", appauthor=False))


def setup_logging(directory: Path | None = None, *, max_bytes: int = MAX_BYTES, backup_count: int = BACKUP_COUNT) -> Path | None:
    """Send INFO and above to a rotating duban.log; returns its path, or None if the directory cannot be written.

    Calling it again with the same file keeps the handler; with another file (tests) it replaces it.
    """
    global _handler
    path = (directory or log_dir()) / LOG_FILE_NAME
    if _handler is not None and Path(_handler.baseFilename) == path.absolute() and _handler.maxBytes == max_bytes:
        return path
    shutdown_logging()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8", errors="backslashreplace")  # undecodable file names are logged, not lost
    except OSError:
        return None  # a read-only profile must not stop the program; it just runs without a log
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.setLevel(logging.INFO)
    root = logging.getLogger()
    root.addHandler(handler)
    if root.getEffectiveLevel() > logging.INFO:
        root.setLevel(logging.INFO)
    _handler = handler
    return path


def shutdown_logging() -> None:
    """Detach and close the log file handler (tests switch directories; the file is then free to delete)."""
    global _handler
    if _handler is None:
        return
    logging.getLogger().removeHandler(_handler)
    _handler.close()
    _handler = None


def current_log_file() -> Path | None:
    """The log file now being written, or None when logging could not be set up."""
    return Path(_handler.baseFilename) if _handler is not None else None


def log_location_text() -> str:
    """The sentence that tells a person where the details of an error are (window and command line)."""
    path = current_log_file()
    return f"错误详情已记入日志文件：{path}" if path else "日志文件无法写入，错误详情未能保存。"
