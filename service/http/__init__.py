"""HTTP plumbing: guards, request logs, metrics, problem responses, the OpenAPI document and body reading."""
