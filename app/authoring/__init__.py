"""Tools that run whole games to judge a scenario: calibration, balance, preview, starter.

They sit above both `app.engine` and `app.scenarios`, so that the engine reads scenario
models and nothing of the engine reads back up.
"""
