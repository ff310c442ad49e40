"""Small widgets of the story screen; each renders one part of a `SceneView`."""
