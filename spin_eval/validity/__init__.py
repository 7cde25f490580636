"""Adversarial validation of the shipped tasks: context-blind answerers (rules and learned models that never
read what an item asks) tried on each task's data, with the bound none may beat (see base.AttackRow)."""
