"""The registry of a pact: pacts, parties, territory, clusters, challenges, working groups."""
