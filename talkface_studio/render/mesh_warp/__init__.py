"""The default stage 2 backend: a landmark-driven mesh warp of the portrait, no weights.

`renderer.MeshWarpRenderer` (registered as "mesh_warp" when `renderer` is imported) warps the
portrait's triangles to each frame's landmarks; the other modules are its parts: eyes, mouth
(teeth, interior, lip contact, corners), expression folds and smile relief, the head's soft edge
over an inpainted background, and the raster and window helpers they share.
"""
