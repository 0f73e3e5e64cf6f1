"""Picks the chat provider from CHAT_PROVIDER."""

from __future__ import annotations

from app.agent.base import Provider
from app.agent.local import LocalProvider
from app.core.config import Settings
from app.core.metrics import Metrics


def make_provider(settings: Settings, metrics: Metrics | None = None) -> Provider:
    if settings.chat_provider == "openai":
        from app.agent.openai_provider import OpenAIProvider  # imported only when used: it is slow to import

        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
        if not key:
            raise ValueError("OPENAI_API_KEY is required when CHAT_PROVIDER=openai")
        return OpenAIProvider(
            key,
            settings.openai_model,
            settings.openai_base_url,
            settings.openai_timeout_seconds,
            settings.chat_max_reply_chars,
            metrics,
        )
    return LocalProvider()
