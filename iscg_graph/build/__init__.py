"""Building a release: tables -> dataset -> validation -> atomic store swap, then publish (dumps, VoID)."""
