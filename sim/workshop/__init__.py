"""Workshop mode: an interactive Solara page where tables move the levers and the budget and watch the goals."""
