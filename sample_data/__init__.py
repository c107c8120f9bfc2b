"""Data for trying and measuring the product: the demo projects `make run` loads (demo.py) and
the bulk generator the benchmarks use (generator.py). Production code never imports this package
(tests/test_layout.py checks); the two management commands that load it import it when run."""
