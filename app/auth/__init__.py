"""Users, roles, area scope, sessions and tokens, and the one authorisation module."""
