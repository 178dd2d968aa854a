"""CoachBot: a Telegram sales coach and client book for insurance agents."""
