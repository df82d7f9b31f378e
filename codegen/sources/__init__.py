"""Where each revision's upstream schema files come from, and the local cache they land in.

``schema/manifest.json`` pins every revision to an upstream commit and the sha256 of each
file; nothing is trusted until it matches. The rest of the code reads a revision only
through :func:`mcp_foundry.sources.store.revision_dir`.
"""
