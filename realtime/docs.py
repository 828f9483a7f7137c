"""The sockets' AsyncAPI document, as YAML, JSON and a readable HTML page; all
three generated on each request from ``realtime.asyncapi`` (no CDN, no build)."""

import json

import yaml
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from realtime import asyncapi


def _document(request: HttpRequest) -> dict:
    return asyncapi.document(host=request.get_host(), protocol="wss" if request.is_secure() else "ws")


@require_safe
def asyncapi_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(_document(request), json_dumps_params={"ensure_ascii": False, "indent": 2})


@require_safe
def asyncapi_yaml(request: HttpRequest) -> HttpResponse:
    text = yaml.safe_dump(_document(request), sort_keys=False, allow_unicode=True)
    return HttpResponse(text, content_type="application/yaml; charset=utf-8")


def _pretty(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


@require_safe
def asyncapi_html(request: HttpRequest) -> HttpResponse:
    document = _document(request)
    components = document["components"]
    channels = []
    for key, channel in document["channels"].items():
        names = [ref["$ref"].rsplit("/", 1)[-1] for ref in channel["messages"].values()]
        messages = []
        for name in names:
            message = components["messages"][name]
            schema = components["schemas"][name]
            data = components["schemas"].get(f"{name}_data")
            messages.append(
                {
                    "name": name,
                    "direction": "client → server" if name in asyncapi.CLIENT_MESSAGES else "server → client",
                    "summary": message["summary"],
                    "schema": _pretty(schema),
                    "data": _pretty(data) if data else None,
                    "example": _pretty(message["examples"][0]["payload"]) if message.get("examples") else None,
                }
            )
        query = channel["bindings"]["ws"]["query"]
        channels.append(
            {
                "key": key,
                "title": channel["title"],
                "url": f"{document['servers']['local']['protocol']}://{document['servers']['local']['host']}"
                f"{channel['address']}?token=ACCESS_TOKEN",
                "parameters": [
                    {"name": name, "required": name in query["required"], "description": spec["description"]}
                    for name, spec in query["properties"].items()
                ],
                "messages": messages,
            }
        )
    context = {
        "info": document["info"],
        "version": document["asyncapi"],
        "channels": channels,
        "close_codes": sorted(asyncapi.CLOSE_CODES.items()),
    }
    return render(request, "realtime/asyncapi.html", context)
