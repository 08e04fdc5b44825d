"""The tile cache (pure): a city cut into a quadtree of tiles, each meshed at three levels of
detail and baked to files once, so a start reads meshes instead of building them."""
