"""Text assistance in the application: the thin adapter between Django and `jianyan.textlab`.

- `index`: the similarity index in the database (signatures, LSH band hashes, sparse vectors), kept
  current on commit by the proposal workflow, and the per-process cache of each committee's
  in-memory index, invalidated by a version counter in the database.
- `services`: what pages, the API and the command line call: similar proposals (only those the user
  may see), duplicate candidates for staff with their shared passages, theme and unit suggestions
  learned from the committee's history, the draft pre-check, a session's hot keywords.
- `views` / `templates/assist/`: htmx fragments the workspace pages include.
"""
