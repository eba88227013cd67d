"""Query execution: the engine interface, the engines, and the layers over them."""
