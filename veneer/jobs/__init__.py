"""What runs beside requests: event ingest, the worker, housekeeping, stored memberships,
clustering and a person's data as a whole. Jobs orchestrate `store` and the domain; the SQL
they need lives in `store`.
"""
