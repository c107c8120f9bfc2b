"""The plumbing under the core: middleware, caches, metrics, logging, backups, health probes,
exports, charts, YAML loading, htmx responses and password hooks. Nothing here knows a business
rule; the domain calls into it, never the other way round."""
