"""The REST API root: /api/v1/. Each app contributes one router."""

from ninja import NinjaAPI

api = NinjaAPI(title="Rightdesk API", version="1", urls_namespace="api-v1")
