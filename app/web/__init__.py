"""The Thai web pages: sign-in, the home page of each role, the register upload."""
