"""Lumbar: open-source home physical therapy for lower back pain."""

__version__ = "0.1.0"
