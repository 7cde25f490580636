"""Adversarial validation of the shipped tasks: context-blind answerers (rules and learned models that never
read what the deciding text says about the question) tried on each task; see scripts/validate_tasks.py."""
