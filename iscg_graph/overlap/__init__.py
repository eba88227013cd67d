"""Overlap discovery: corpus, scoring, the candidate index, the review register (SSSOM), evaluation."""
