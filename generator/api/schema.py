"""JSON Schemas of the API records, generated from ``contract.toml`` and never typed twice.

Each record of the API is a row of a contract table (with its English field names) plus a
few documented members; the schema of that row is derived here from the contract's
fields, so a new or changed column reaches the OpenAPI description without a second edit.
"""

from __future__ import annotations

from typing import Any

from ..contract import Contract, Field, Table

USCC_PATTERN = "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"
VERSION = "v1"
PAGE_SIZE = 1000


def field_schema(f: Field) -> dict[str, Any]:
    """The JSON Schema of one contract field as the API writes it (dates ISO 8601)."""
    if f.type in ("list", "result"):
        inner: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
    elif f.type == "integer":
        inner = {"type": "integer"}
        if f.minimum is not None:
            inner["minimum"] = f.minimum
        if f.maximum is not None:
            inner["maximum"] = f.maximum
    elif f.type == "date":
        inner = {"type": "string", "format": "date"}
    else:
        inner = {"type": "string"}
        if f.type == "enum" and f.values:
            inner["enum"] = list(f.values)
        if f.type == "uscc":
            inner["pattern"] = USCC_PATTERN
    schema = {"title": f.title, "description": f.description, **inner}
    if not f.required:
        schema = {"title": f.title, "description": f.description,
                  "anyOf": [inner, {"type": "null"}]}
    return schema


def row_schema(table: Table, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """An object with every field of ``table`` except ``skip``; ratios add ``<name>_min``."""
    props: dict[str, Any] = {}
    for f in table.fields:
        if f.name in skip:
            continue
        props[f.name] = field_schema(f)
        if f.type == "ratio":
            props[f.name + "_min"] = {"title": f"{f.title}（最低比例）",
                                      "anyOf": [{"type": "number", "minimum": 0, "maximum": 1},
                                                {"type": "null"}]}
    return {"type": "object", "title": table.title, "description": table.description,
            "properties": props, "required": sorted(props)}


def _links() -> dict[str, Any]:
    return {"type": "object", "additionalProperties": {"type": "string"}}


def _with_links(obj: dict[str, Any]) -> dict[str, Any]:
    obj["properties"]["links"] = _links()
    obj["required"] = sorted(obj["properties"])
    return obj


def components(contract: Contract) -> dict[str, Any]:
    """Every schema of the API, keyed by the names the OpenAPI file and the tests use."""
    results = contract["results"]
    result_row = row_schema(results, skip=("uscc", "entity_name"))
    result_row["properties"]["category"] = {"title": "结果类别", "type": "string"}
    result_row["required"] = sorted(result_row["properties"])
    follow_up = row_schema(contract["dispositions"], skip=("uscc",))
    plan_version = row_schema(contract["plans"], skip=("plan_id",))
    return {
        "Result": result_row,
        "FollowUp": follow_up,
        "Enterprise": {
            "type": "object", "title": "企业",
            "required": ["uscc", "name", "names", "results", "follow_ups", "links"],
            "properties": {
                "uscc": {"type": "string", "pattern": USCC_PATTERN,
                         "title": results.field("uscc").title},
                "name": {"type": "string", "title": "最新名称"},
                "names": {"type": "array", "items": {"type": "string"},
                          "title": "曾用名称（含最新名称）"},
                "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}},
                "follow_ups": {"type": "array",
                               "items": {"$ref": "#/components/schemas/FollowUp"}},
                "links": _links(),
            }},
        "Task": _with_links(row_schema(contract["tasks"])),
        "Item": _with_links(row_schema(contract["items"])),
        "Plan": {
            "type": "object", "title": contract["plans"].title,
            "required": ["plan_id", "versions", "links"],
            "properties": {"plan_id": field_schema(contract["plans"].field("plan_id")),
                           "versions": {"type": "array",
                                        "items": {"$ref": "#/components/schemas/PlanVersion"}},
                           "links": _links()}},
        "PlanVersion": plan_version,
        "IndexPage": {
            "type": "object", "title": "分页索引",
            "required": ["page", "pages", "total", "items"],
            "properties": {
                "page": {"type": "integer", "minimum": 1},
                "pages": {"type": "integer", "minimum": 1},
                "total": {"type": "integer", "minimum": 0},
                "next": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                "items": {"type": "array", "items": {
                    "type": "object", "required": ["id", "name", "url"],
                    "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                                   "url": {"type": "string"}}}}}},
    }


# (path template, schema, parameter, summary) of every kind of file the API has
PATHS = (
    ("/enterprises/{uscc}.json", "Enterprise", "uscc", "一家企业的全部抽查结果与后续处置"),
    ("/enterprises/index-{page}.json", "IndexPage", "page", "企业分页索引"),
    ("/tasks/{task_id}.json", "Task", "task_id", "一项抽查任务"),
    ("/tasks/index-{page}.json", "IndexPage", "page", "任务分页索引"),
    ("/items/{item_id}.json", "Item", "item_id", "一个抽查事项"),
    ("/items/index-{page}.json", "IndexPage", "page", "事项分页索引"),
    ("/plans/{plan_id}.json", "Plan", "plan_id", "一份抽查计划的全部版本"),
    ("/plans/index-{page}.json", "IndexPage", "page", "计划分页索引"),
)


def _operation(path: str) -> str:
    """A unique operation id per path: ``getEnterprises``, ``getEnterprisesIndex``..."""
    folder, name = path.strip("/").split("/")
    return "get" + folder.title() + ("Index" if name.startswith("index-") else "")


def openapi(contract: Contract, server: str, title: str) -> dict[str, Any]:
    """The OpenAPI 3.1 description of the static files under ``api/v1/``."""
    paths: dict[str, Any] = {}
    for path, schema, param, summary in PATHS:
        paths[path] = {"get": {
            "summary": summary, "operationId": _operation(path),
            "parameters": [{"name": param, "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 1} if param == "page"
                            else {"type": "string"}}],
            "responses": {"200": {"description": summary, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{schema}"}}}},
                          "404": {"description": "没有这个文件"}}}}
    return {"openapi": "3.1.0",
            "info": {"title": f"{title} 开放数据接口", "version": VERSION,
                     "description": "静态 JSON 文件，无需密钥；数据与网站同时更新。"},
            "servers": [{"url": server or f"/api/{VERSION}"}],
            "paths": paths, "components": {"schemas": components(contract)}}


def schema_for(path: str) -> str:
    """The component name of an API file (relative to ``api/v1/``)."""
    folder, name = path.split("/", 1)
    if name.startswith("index-"):
        return "IndexPage"
    return {"enterprises": "Enterprise", "tasks": "Task", "items": "Item", "plans": "Plan"}[folder]
