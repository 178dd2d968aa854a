"""Telegram glue, one module per feature; each declares what it answers in its FEATURE, and
registry.py registers them all (commands, one button dispatcher, typed steps) in one order."""
