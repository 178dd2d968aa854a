"""coachbot.sandbox"""
