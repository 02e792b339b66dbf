"""Open data: the REST API (/api/v1/), the bulk data packages and the DCAT-AP_IT catalogue."""
