"""Sample data the product ships: :mod:`framework.samples.audit_log` holds audit-log events."""
