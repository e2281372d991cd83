"""The workspace file: its schema, and how a bad file is reported.

Pydantic checks types, unknown keys and negative numbers; cross-references
(a stock row naming an unknown SKU) are checked in `check_references`. Either
kind of problem names the key path, such as `stock[3].location`, and the value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ordertower.kernel.errors import OrderTowerError
from ordertower.kernel.i18n import Message, literal_message
from ordertower.routing.rules import RULES

NonNegative = Annotated[int, Field(ge=0)]
Positive = Annotated[int, Field(gt=0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AddressSpec(_Strict):
    line1: str = ""
    line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country_code: Annotated[str, Field(min_length=2, max_length=2)]

    @field_validator("country_code")
    @classmethod
    def upper_country(cls, value: str) -> str:
        return value.upper()


class LocationSpec(_Strict):
    code: Annotated[str, Field(min_length=1, max_length=64)]
    name: str = ""
    address: AddressSpec
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None
    rank: NonNegative | None = None
    daily_capacity: Positive | None = None


class ProductSpec(_Strict):
    sku: Annotated[str, Field(min_length=1, max_length=128)]
    name: str = ""
    weight_grams: NonNegative | None = None
    hs_code: str = ""
    origin_country: str = ""


class ComponentSpec(_Strict):
    sku: str
    quantity: Positive


class BundleSpec(_Strict):
    sku: Annotated[str, Field(min_length=1, max_length=128)]
    name: str = ""
    components: Annotated[list[ComponentSpec], Field(min_length=1)]


class StockSpec(_Strict):
    sku: str
    location: str
    on_hand: NonNegative
    safety_stock: NonNegative = 0


class ChannelSpec(_Strict):
    code: Annotated[str, Field(min_length=1, max_length=64)]
    kind: Literal["shopify", "amazon", "woocommerce", "generic", "walmart", "tiktok", "ebay"]
    name: str = ""


class SkuMappingSpec(_Strict):
    channel: str
    channel_sku: Annotated[str, Field(min_length=1)]
    sku: str


class RoutingSpec(_Strict):
    rules: list[Literal[RULES]] = Field(default_factory=lambda: ["fewest_splits", "closest", "rank"])  # type: ignore[valid-type]
    allow_split: bool = True


class WorkspaceSpec(_Strict):
    base_currency: Annotated[str, Field(min_length=3, max_length=3)] = "USD"
    locations: list[LocationSpec] = Field(default_factory=list)
    products: list[ProductSpec] = Field(default_factory=list)
    bundles: list[BundleSpec] = Field(default_factory=list)
    stock: list[StockSpec] = Field(default_factory=list)
    channels: list[ChannelSpec] = Field(default_factory=list)
    sku_mappings: list[SkuMappingSpec] = Field(default_factory=list)
    routing: RoutingSpec | None = None


class WorkspaceFileError(OrderTowerError):
    code = "invalid_workspace"
    http_status = 422
    message = Message(
        "{file}: {count} problem(s), nothing was applied.\n{details}",
        "{file}：发现 {count} 个问题，文件中的内容均未应用。\n{details}",
    )

    def __init__(self, *, file: str, problems: list[tuple[str, Any, Message]]) -> None:
        self.problems = problems
        super().__init__(file=file, count=len(problems), details=_ProblemList(problems))


class _ProblemList:
    """Renders the problem lines in the language of the surrounding message."""

    def __init__(self, problems: list[tuple[str, Any, Message]]) -> None:
        self.problems = problems

    def __format__(self, spec: str) -> str:
        from ordertower.kernel.i18n import current_language

        language = current_language()
        return "\n".join(
            f"  - {path}: {message.render(language)} (value: {value!r})" for path, value, message in self.problems
        )

    def __str__(self) -> str:
        return format(self, "")


INVALID_VALUE = Message("{detail}", "{detail}")
UNKNOWN_KEY = Message("unknown key; check its spelling against the documented keys", "未知的键，请对照文档检查拼写")
UNKNOWN_SKU = Message(
    "no product or bundle has this SKU; add it under `products` or `bundles`",
    "没有这个 SKU 的商品或组合商品，请在 `products` 或 `bundles` 中添加",
)
UNKNOWN_LOCATION = Message(
    "no location has this code; add it under `locations`", "没有这个代码的仓库，请在 `locations` 中添加"
)
UNKNOWN_CHANNEL = Message(
    "no channel has this code; add it under `channels`", "没有这个代码的渠道，请在 `channels` 中添加"
)
DUPLICATE = Message("appears twice in this file; keep one", "在文件中出现了两次，请只保留一个")
NOT_A_MAPPING = Message("the file must contain a mapping at the top level", "文件顶层必须是键值映射")


def load_workspace_file(path: Path) -> WorkspaceSpec:
    """Read and validate a workspace file, or raise WorkspaceFileError listing every problem."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise WorkspaceFileError(
            file=str(path),
            problems=[
                (
                    "(file)",
                    path.name,
                    literal_message(f"cannot be read as YAML or JSON: {error}", f"无法按 YAML 或 JSON 读取：{error}"),
                )
            ],
        ) from error
    return parse_workspace(document, source=str(path))


def parse_workspace(document: Any, *, source: str) -> WorkspaceSpec:
    if not isinstance(document, dict):
        raise WorkspaceFileError(file=source, problems=[("(top level)", type(document).__name__, NOT_A_MAPPING)])
    try:
        spec = WorkspaceSpec.model_validate(document)
    except ValidationError as error:
        raise WorkspaceFileError(file=source, problems=_pydantic_problems(error)) from error

    return spec


def _pydantic_problems(error: ValidationError) -> list[tuple[str, Any, Message]]:
    problems: list[tuple[str, Any, Message]] = []
    for item in error.errors():
        path = _key_path(item["loc"])
        if item["type"] == "extra_forbidden":
            problems.append((path, item.get("input"), UNKNOWN_KEY))
        else:
            problems.append((path, item.get("input"), literal_message(item["msg"], _translate_pydantic(item))))
    return problems


def _translate_pydantic(item: Any) -> str:
    context = item.get("ctx") or {}
    kind = item["type"]
    if kind in ("greater_than_equal", "greater_than"):
        bound = context.get("ge", context.get("gt"))
        return f"必须{'大于等于' if kind == 'greater_than_equal' else '大于'} {bound}"
    if kind == "missing":
        return "缺少必填项"
    if kind == "literal_error":
        return f"取值必须是以下之一：{context.get('expected', '')}"
    if kind.startswith("int") or kind.startswith("float"):
        return "必须是数字"
    if kind.startswith("string"):
        return "文本长度或格式不正确"
    return f"值无效（{item['msg']}）"


def _key_path(location: tuple[Any, ...]) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif path:
            path += f".{part}"
        else:
            path = str(part)
    return path


@dataclass(frozen=True)
class KnownCodes:
    """Codes already in the database, which a file may reference without defining them again."""

    products: frozenset[str] = frozenset()
    bundles: frozenset[str] = frozenset()
    locations: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()


def check_references(spec: WorkspaceSpec, known: KnownCodes) -> list[tuple[str, Any, Message]]:
    """Find SKUs, locations and channels that are used but defined neither in the file nor before."""
    problems: list[tuple[str, Any, Message]] = []
    locations = _unique_codes(spec.locations, "locations", "code", problems) | known.locations
    products = _unique_codes(spec.products, "products", "sku", problems) | known.products
    bundles = _unique_codes(spec.bundles, "bundles", "sku", problems) | known.bundles
    channels = _unique_codes(spec.channels, "channels", "code", problems) | known.channels
    for index, bundle in enumerate(spec.bundles):
        if bundle.sku in products - known.bundles:
            problems.append((f"bundles[{index}].sku", bundle.sku, DUPLICATE))
        for position, component in enumerate(bundle.components):
            if component.sku not in products:
                problems.append((f"bundles[{index}].components[{position}].sku", component.sku, UNKNOWN_SKU))
    for index, row in enumerate(spec.stock):
        if row.sku not in products:
            problems.append((f"stock[{index}].sku", row.sku, UNKNOWN_SKU))
        if row.location not in locations:
            problems.append((f"stock[{index}].location", row.location, UNKNOWN_LOCATION))
    for index, mapping in enumerate(spec.sku_mappings):
        if mapping.channel not in channels:
            problems.append((f"sku_mappings[{index}].channel", mapping.channel, UNKNOWN_CHANNEL))
        if mapping.sku not in products and mapping.sku not in bundles:
            problems.append((f"sku_mappings[{index}].sku", mapping.sku, UNKNOWN_SKU))
    return problems


def _unique_codes(items: list[Any], section: str, key: str, problems: list[tuple[str, Any, Message]]) -> set[str]:
    seen: set[str] = set()
    for index, item in enumerate(items):
        code = getattr(item, key)
        if code in seen:
            problems.append((f"{section}[{index}].{key}", code, DUPLICATE))
        seen.add(code)
    return seen
