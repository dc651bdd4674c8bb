"""The case procedure: working-day clocks (and, as it grows, statuses, deadlines, notices)."""
