"""Staff side: the JSON APIs (`api.py` feedback, `polls_api.py` polls) and the `flask staff …`
and `flask poll …` commands."""
