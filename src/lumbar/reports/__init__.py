"""Outputs for reading away from the app: charts (web and print) and, later, the PDF handout."""
