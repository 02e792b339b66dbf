"""Monitoring: indicators, observations with their revisions, targets, and assessments."""
