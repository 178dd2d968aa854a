"""coachbot.scripts"""
