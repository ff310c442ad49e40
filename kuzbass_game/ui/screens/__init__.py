"""The screens of the app: title, story, ending, and the modal helpers over them."""
