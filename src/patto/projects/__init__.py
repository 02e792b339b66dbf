"""Projects and actions of a pact: the monitoring sheet, referents, roles and reporting rounds."""
