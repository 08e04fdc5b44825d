"""Open standards out: a baked city as glTF (GLB) and OGC 3D Tiles 1.1 (docs/export.md)."""
