"""The store: the event log and its chain, the unit of work, keys and encryption, backups."""
