"""The product's settings: `base` is what production runs, read from the environment; `test`
(the test suite) and `bench` (the HTTP benchmark) are the base plus their own changes. Nothing is
imported here, so the test settings can set their environment defaults before the base reads it."""
