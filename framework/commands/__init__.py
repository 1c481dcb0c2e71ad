"""The ``framework`` subcommands that inspect integrations: ``list``, ``preview``, ``curl``.

Each module exposes ``add_arguments(parser)`` and ``run(args) -> int`` (see
:mod:`framework.cli`).
"""
