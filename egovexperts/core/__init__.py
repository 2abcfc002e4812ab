"""Helpers every app may use. Nothing here imports an app of the project."""
