from ninja import NinjaAPI

api = NinjaAPI(title="救助 Jiuzhu API", version="1", urls_namespace="api", openapi_url="/openapi.json")


@api.get("/v1/health", auth=None, tags=["system"])
def health(request):
    return {"status": "ok"}
