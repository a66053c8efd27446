"""The pure clinical core: no web framework, no CLI, no database."""
