"""Scheduled work: the periodic sweep (APScheduler via PTB's JobQueue) and the outbox sender."""
