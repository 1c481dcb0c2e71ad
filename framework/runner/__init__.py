"""Running integrations: ``framework send``, its durable queue, inputs and the Runner.

    from framework.runner import Runner, SQLiteQueue
    from integrations import load

    with SQLiteQueue(".framework/queue.sqlite3") as queue:
        summary = Runner(load("webhooks"), {"hooks": [url]}, queue, concurrency=16)
        ...
"""

from .converters import (DEFAULT_CONVERTER, Converter, UnknownFormatError, converter_names,
                         get_converter, register_converter)
from .inputs import FORMATS, InputError, InputReader, Position, detect_format, read_messages
from .queue import DeadLetter, InputOffset, Job, Queue, QueueStats, error_dict
from .sqlite_queue import DEFAULT_QUEUE_PATH, SQLiteQueue
from .deadletters import export_dead_letters
from .lock import QueueLock, QueueLockedError
from .pacing import Backoff, RateLimiter
from .progress import Progress, make_progress
from .runner import DEFAULT_CONCURRENCY, DEFAULT_MAX_AGE, DEFAULT_MAX_ATTEMPTS, Runner
from .settings import SettingsError, parse_settings
from .summary import RunSummary, classify

__all__ = [
    "Queue", "SQLiteQueue", "DEFAULT_QUEUE_PATH", "Job", "DeadLetter", "InputOffset",
    "QueueStats", "error_dict",
    "InputError", "InputReader", "Position", "FORMATS", "read_messages", "detect_format",
    "Converter", "DEFAULT_CONVERTER", "UnknownFormatError", "register_converter",
    "get_converter", "converter_names",
    "Runner", "RunSummary", "classify", "Backoff", "RateLimiter", "Progress", "make_progress",
    "QueueLock", "QueueLockedError", "SettingsError", "parse_settings", "export_dead_letters",
    "DEFAULT_CONCURRENCY", "DEFAULT_MAX_ATTEMPTS", "DEFAULT_MAX_AGE",
]
