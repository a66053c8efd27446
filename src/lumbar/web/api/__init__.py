"""The REST API (django-ninja) under /api/v1/, and the personal access tokens that open it."""
