"""The JSON API (/api/v1): rounds, applications, awards, payments; bearer tokens; OpenAPI document."""
