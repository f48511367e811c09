"""Parse, classify and summarise a diff into the signals that drive routing."""
