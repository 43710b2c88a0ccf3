"""Practicum: a server for live team practicums in learning and development."""
