"""Reading a JSON file whose failures name it, in the caller's error class."""
import json
import os


def read_json(path, error, missing_hint=""):
    if not os.path.exists(path):
        raise error(f"{path}: not found{missing_hint}")
    try:
        with open(path) as f:
            return json.load(f)
    except ValueError as e:
        raise error(f"{path}: is not valid JSON ({e})") from e
