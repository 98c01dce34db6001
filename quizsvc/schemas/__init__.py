"""Marshmallow schemas: what the API reads and writes (and documents in OpenAPI)."""
