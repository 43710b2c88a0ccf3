"""Unbound extension objects, attached to an app in create_app (Flask's init_app pattern)."""

from flask_socketio import SocketIO

socketio = SocketIO()
