"""The AI coach: a language model behind the rules, when a deployment configures one.

build_ai(settings, ...) -> AiServices: .classifier (question types), .practice (role-play
turns, streamed), .facts (client facts from free text), .voice (voice notes to text). Every
request goes through gateway.ModelGateway (redaction, budget, retries, the call log); every
failure falls back to the rules with a one-line notice.
"""
