"""Routes for audit: filled in by its issue."""

from fastapi import APIRouter

router = APIRouter(tags=["audit"])
