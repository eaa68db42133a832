"""Connection orders (ДК, R7–R8): a sub-domain of campaigns with the rooms of an app.

The rest of campaigns reaches it only through `services` and `selectors` (and its models through
`campaigns.models`, which registers them); the import-linter contracts in pyproject.toml say so.
"""
