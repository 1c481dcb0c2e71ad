"""Templates of the files ``framework new`` writes (see :mod:`framework.scaffold`).

They are Python string constants rather than data files, so they ship with every install.
"""
