"""FastAPI app: REST routes, the websocket endpoint, the static frontend."""
