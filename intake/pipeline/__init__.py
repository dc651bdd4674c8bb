"""The channel-neutral worker: claim an accepted message, prepare it (parse, screen, classify),
file it as a new case or thread it into one, and queue the answer, in one transaction."""
