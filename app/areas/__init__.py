"""The area registry: official provinces, districts and subdistricts, and the user-supplied
register of villages, urban communities and the local governments (LAOs) they belong to."""
