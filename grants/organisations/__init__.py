"""Organisations: create one, see and change its details, invite others to join it."""
