"""Patto: runs and monitors a territorial pact for work and sustainable development."""
