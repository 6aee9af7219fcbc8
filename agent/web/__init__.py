"""``samaudio serve``: a web page over the same Agent, workspace and tools as the CLI.

:func:`agent.web.app.create_app` builds the FastAPI app; the routes live in ``api_*.py`` by
concern, the page in ``static/`` (wavesurfer.js vendored under ``static/vendor``).
"""
