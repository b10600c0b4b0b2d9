"""Every write to the rituals goes through a function here, one module per story:
convergence and facilitator mode now; sprints and conflicts later. Timers live in
``rituals.timers``."""
