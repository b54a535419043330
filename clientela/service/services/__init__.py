"""Every write of the service app: one function per use case, in one transaction,
audited (``core.services.records``), permissions checked."""
