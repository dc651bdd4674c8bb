"""The staff console: a server-rendered web application over the store and the case procedure."""
