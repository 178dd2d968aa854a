"""`python -m coachbot.fakellm [--port 8090]`: serve the fake model server until Ctrl-C."""

from coachbot.fakellm.server import main

main()
