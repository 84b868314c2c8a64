"""Staff-facing JSON API and commands (blueprints under /api/v1)."""
