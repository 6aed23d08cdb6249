"""Starlette endpoints and middleware: the HTTP edge of Veneer."""
