"""The API: one router per resource, the request and response schemas, and how answers are rendered."""
