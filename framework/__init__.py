"""Build, test and run customer-data integrations."""

__version__ = "0.1.0"
