"""What every app shares: base models, domain errors, the import framework, template tags."""
