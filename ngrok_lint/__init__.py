"""ngrok-lint: lint and fix ngrok agent configuration files."""

__version__ = "0.1.0"
