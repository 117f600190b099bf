"""Side-by-side benchmark of the service against a naive, a lean and a floor server: ``python bench/run.py``."""
