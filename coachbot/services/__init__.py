"""Use cases: combine the domain rules, the store and rendering (no Telegram here)."""
