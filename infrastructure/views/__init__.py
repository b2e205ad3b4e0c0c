"""The read side: read models, the projections that feed them, replay, and the queries."""
