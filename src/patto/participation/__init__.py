"""Participation: regeneration calls and proposals, challenges and solutions, votes, moderation and
co-design networks (chapter 6 of the Bologna pact, the region's challenge portal)."""
