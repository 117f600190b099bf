"""The HTTP floor: a Starlette route that reads the body and returns a constant. Nothing is faster over HTTP."""

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


async def gradients(request: Request) -> Response:
    await request.body()
    return Response(b'{"loss":0.0}', media_type="application/json")


app = Starlette(routes=[Route("/v1/gradients", gradients, methods=["POST"])])
