"""Tests of the survey core: questionnaire data, indicator rules, validation, payload factory."""
