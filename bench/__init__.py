"""The Practicum load benchmark: a Socket.IO swarm, a reference server, a ladder and a report."""
