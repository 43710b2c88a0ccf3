"""The real-time server: event store, session service, Flask app and Socket.IO handlers."""
