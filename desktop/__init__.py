"""The desktop application: command line, windows, dialogs, Qt models (the only place Qt is imported)."""
