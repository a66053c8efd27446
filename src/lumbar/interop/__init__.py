"""Data for other systems: calendar feeds (iCalendar) and, later, FHIR bundles."""
