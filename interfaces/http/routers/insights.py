"""Routes for insights: filled in by its issue."""

from fastapi import APIRouter

router = APIRouter(tags=["insights"])
