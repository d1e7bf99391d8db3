"""Workshop mode: an interactive page (Mesa SolaraViz) where a room moves the levers and watches the goals."""
