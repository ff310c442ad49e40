"""The full-screen Textual face of Kuzbass: it renders `Game.view()` and sends the player's intents.

Nothing here decides what happens in the story; the engine does. See `app.KuzbassApp`.
"""
