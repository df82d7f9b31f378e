"""``mcp-foundry diff``: what changed between two protocol revisions, and whom it breaks.

Computed on the IR (:mod:`mcp_foundry.ir.model`), so it sees what schema.json hides: method
directions and channels, deprecations, constants and error codes. The pipeline is
``compare`` (IR pair → :class:`~mcp_foundry.diff.model.Change` records, classified by
:mod:`mcp_foundry.diff.classify`) → one of the renderers in :mod:`mcp_foundry.diff.render`.
"""
