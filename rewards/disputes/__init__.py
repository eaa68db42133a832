"""Statement disputes (issue 12 §4), a sub-domain of rewards with the rooms of an app.

services   dispute_flag, dispute_accept, dispute_reject, dispute_withdraw: one transitions table
selectors  the disputes a user may see, open counts, the next open month of an adjustment
api        `/api/v1/disputes/` for both sides
views      the supervisor's page `/disputes/` (the agent's side is on `/me/`)
admin      the managers' list with the history (django-simple-history)
demo       a dispute in each state for the demo agent
"""
