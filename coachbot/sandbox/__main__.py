"""`python -m coachbot.sandbox [--port 8081]`: serve the sandbox until Ctrl-C."""

from coachbot.sandbox.server import main

main()
