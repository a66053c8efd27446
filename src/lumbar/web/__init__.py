"""The Django project: web app, REST API, background tasks."""
