"""Development entry point: `python app.py` serves Plinth on http://127.0.0.1:5000.

(The package `app/` shares this name and wins on import; this file is a script only.)
"""
from app import create_app

if __name__ == "__main__":
    create_app().run(host="127.0.0.1", port=5000)
