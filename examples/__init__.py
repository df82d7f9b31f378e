"""Example servers built with the authoring layer (``python -m examples.<name>``)."""
