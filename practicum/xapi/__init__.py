"""xAPI statements for a learning record store: the profile, the mapping, the outbox, the sender."""
