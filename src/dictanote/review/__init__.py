"""The review page: a local web server where drafts are corrected and signed.

An entry point like the CLI: it goes through one ``dictanote.app.Dictation`` and
``core`` only, never a stage. It binds to loopback only, admits a request only with
the per-launch secret, and never logs note text.
"""
