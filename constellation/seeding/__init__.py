"""Bulk data for demos and benchmarks (``seed_demo --size large``)."""
