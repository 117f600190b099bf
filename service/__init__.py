"""The HTTP service: validates network specs at the boundary and serves :mod:`gradcore`."""
