"""Integration with other systems: the relay that publishes the log to NATS JetStream."""
