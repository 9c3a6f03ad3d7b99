"""Writes: every change to a filing goes through a function in one of these modules."""
