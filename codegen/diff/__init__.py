"""``mcp-codegen diff``: what changed between two protocol revisions, and whom it breaks.

Computed on the IR (:mod:`codegen.ir.model`), so it sees what schema.json hides: method
directions and channels, deprecations, constants and error codes. The pipeline is
``compare`` (IR pair → :class:`~codegen.diff.model.Change` records, classified by
:mod:`codegen.diff.classify`) → one of the renderers in :mod:`codegen.diff.render`.
"""
