"""Running integrations: reading inputs and the durable queue behind ``framework send``."""

from .converters import (DEFAULT_CONVERTER, Converter, UnknownFormatError, converter_names,
                         get_converter, register_converter)
from .inputs import FORMATS, InputError, InputReader, Position, detect_format, read_messages
from .queue import DeadLetter, InputOffset, Job, Queue, QueueStats, error_dict
from .sqlite_queue import DEFAULT_QUEUE_PATH, SQLiteQueue

__all__ = [
    "Queue", "SQLiteQueue", "DEFAULT_QUEUE_PATH", "Job", "DeadLetter", "InputOffset",
    "QueueStats", "error_dict",
    "InputError", "InputReader", "Position", "FORMATS", "read_messages", "detect_format",
    "Converter", "DEFAULT_CONVERTER", "UnknownFormatError", "register_converter",
    "get_converter", "converter_names",
]
