"""Reusable widgets of the board."""
