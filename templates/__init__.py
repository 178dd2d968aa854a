"""Every text the bot sends, per locale (shipped as package data)."""
