"""Model providers behind one contract (see ``base``)."""
