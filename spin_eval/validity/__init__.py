"""Adversarial validation of the shipped tasks: context-blind answerers run through the tasks' own scoring."""
