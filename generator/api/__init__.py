"""The static JSON API under ``api/v1/``: one file per enterprise, task, item and plan,
paged index files and an OpenAPI description whose schemas come from the contract."""
