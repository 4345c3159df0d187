"""The enumerator's offline-first mobile web app, served at ``/collect``."""
