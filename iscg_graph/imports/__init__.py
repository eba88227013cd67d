"""Importing tables as people write them: notations, hostile-upload checks, mapping tables."""
