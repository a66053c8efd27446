"""Settings split: base (shared), production (embedded and clinic deployments), test."""
