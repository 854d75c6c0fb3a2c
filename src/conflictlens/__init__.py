"""conflictlens."""
