"""Pure rules of the client book and the methodology: no I/O, no Telegram, the clock passed in."""
