"""The review page: a local web server where drafts are corrected and signed.

An entry point like the CLI: it reads and writes the store through the
pipeline and renders pages through ``render``. It binds to loopback only and
admits a request only with the per-launch secret; it never logs note text.
"""
