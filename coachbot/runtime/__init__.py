"""How the bot talks to Telegram: the HTTP transport and the order updates are handled in."""
