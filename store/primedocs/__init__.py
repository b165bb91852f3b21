"""The primedocs Admin API's tables and repository."""
