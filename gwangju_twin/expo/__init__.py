"""The expo as data, without a window: the seven sector pavilions (``pavilions``: meshes,
infos, camera poses, plugin assignments) and a scene prepared for the stage (``prepared``).

Import from the modules; this package re-exports nothing, so importing one part does not load
the other."""
