"""The ASGI entry point (`uvicorn onestop.platform.asgi:app`), configured from the environment."""

from onestop.platform.app import create_app

app = create_app()
