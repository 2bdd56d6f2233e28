"""The shared ground every part of dictanote stands on.

Types that flow between the stages, the one error tree, settings, note formats,
the user's vocabulary, the draft codec, the one TOML loader and ``policy`` (each
rule declared once). Imports nothing else of the package and nothing heavy.
"""
