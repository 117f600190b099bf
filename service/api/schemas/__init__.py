"""Pydantic models of the HTTP contract, named after the operations they carry."""
