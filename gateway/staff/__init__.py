"""Staff side: the JSON API (`api.py`) and the `flask staff …` commands (`cli.py`)."""
