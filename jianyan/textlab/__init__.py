"""Chinese text assistance for proposals: segmentation, similar proposals, theme and unit
suggestions, the draft pre-check (慧预审) and their evaluation.

Plain Python (rjieba and numpy): nothing here imports Django, so the package is usable and
testable without settings. The pages, the API and the command line reach it through thin
adapters that load the committee's units, themes and history from the database.
"""
