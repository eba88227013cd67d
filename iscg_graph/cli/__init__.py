"""The ``iscg`` command, one module per command group (``main`` holds the app)."""
