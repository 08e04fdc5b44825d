"""The built-in sector demos: pavilion plugins shipped with the viewer, and examples to copy."""
