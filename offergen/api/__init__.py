"""HTTP surface: thin routes over the pipeline; wiring in app.py, errors mapped in errors.py."""
