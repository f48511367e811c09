"""The routing policy: models, built-in catalogue, loading and validation."""
