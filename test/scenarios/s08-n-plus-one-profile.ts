import type { Json } from "../../src/sandbox/scenario.ts";
import {
  ago,
  code,
  DAY,
  daysAgo,
  edit,
  errorEvent,
  eventRelease,
  HOUR,
  hexId,
  issueDetails,
  issueRef,
  lineOf,
  MIN,
  organization,
  type ProjectDef,
  projectJson,
  release,
  releaseStub,
  releasesOf,
  requestEntry,
  secs,
  spanNode,
  tagDistribution,
  traceMeta,
} from "./builders.ts";
import type { CorpusScenario, RepoSpec } from "./types.ts";

/**
 * S08: an N+1 performance issue on GET /api/wishlists/<id>/. Since #212 serialize_wishlist runs one price
 * query per wishlist item inside its loop, although products.pricing already offers a one-query bulk lookup.
 * The transaction was profiled; most samples sit under serialize_wishlist → QuerySet.first → psycopg.
 */

const CATALOG: ProjectDef = { id: 4581, slug: "catalog-api", platform: "python-django" };
const REPO = "acme/catalog-api";

const IVY = { author: "Ivy Chen", email: "ivy.chen@acme.shop" };
const BEN = { author: "Ben Carter", email: "ben.carter@acme.shop" };

const requirements = code(`
django==5.1.4
gunicorn==23.0.0
psycopg[binary]==3.2.3
sentry-sdk[django]==2.19.2
`);

const settingsV0 = code(`
import os

import sentry_sdk

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["catalog.acme.shop", "localhost"]
ROOT_URLCONF = "catalog.urls"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "products",
    "wishlists",
]
MIDDLEWARE = [
    "django.middleware.common.CommonMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("DB_NAME", "catalog"),
        "HOST": os.environ.get("DB_HOST", "localhost"),
    }
}

sentry_sdk.init(
    dsn=os.environ.get("SENTRY_DSN"),
    release=os.environ.get("RELEASE"),
    environment=os.environ.get("APP_ENV", "development"),
    traces_sample_rate=0.2,
    profiles_sample_rate=1.0,
)
`);

const settingsV3 = edit(
  settingsV0,
  `        "HOST": os.environ.get("DB_HOST", "localhost"),
    }`,
  `        "HOST": os.environ.get("DB_HOST", "localhost"),
        # Keep connections open between requests: saves ~4 ms of connection setup per request.
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }`,
);

const urls = code(`
from django.urls import path

from wishlists.views import WishlistDetailView

urlpatterns = [
    path("api/wishlists/<int:wishlist_id>/", WishlistDetailView.as_view()),
]
`);

const productModelsV0 = code(`
from django.db import models


class Product(models.Model):
    sku = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    base_price = models.DecimalField(max_digits=10, decimal_places=2)
    stock = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"
`);

const productModelsV1 = code(`
from django.db import models


class Product(models.Model):
    sku = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    base_price = models.DecimalField(max_digits=10, decimal_places=2)
    stock = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class Price(models.Model):
    """Regional price list entries; for each product and region the newest valid_from wins."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices")
    region = models.CharField(max_length=8)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3)
    valid_from = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["product", "region", "-valid_from"])]
`);

const pricing = code(`
from django.db.models import OuterRef, Subquery

from products.models import Price


def prices_for_products(product_ids, region: str) -> dict[int, Price]:
    """The current price of each product in \`region\`, in one query."""
    newest = Price.objects.filter(product_id=OuterRef("product_id"), region=region).order_by("-valid_from")
    rows = Price.objects.filter(product_id__in=product_ids, region=region, id=Subquery(newest.values("id")[:1]))
    return {price.product_id: price for price in rows}
`);

const productViews = code(`
from django.http import JsonResponse
from django.shortcuts import get_object_or_404

from products.models import Product
from products.pricing import prices_for_products


def product_detail(request, sku: str):
    product = get_object_or_404(Product, sku=sku)
    region = request.headers.get("X-Region", "EU")
    price = prices_for_products([product.id], region).get(product.id)
    return JsonResponse(
        {
            "sku": product.sku,
            "name": product.name,
            "price": str(price.amount if price else product.base_price),
            "currency": price.currency if price else "EUR",
        }
    )
`);

const wishlistModels = code(`
from django.conf import settings
from django.db import models

from products.models import Product


class Wishlist(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)


class WishlistItem(models.Model):
    wishlist = models.ForeignKey(Wishlist, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE)
    added_at = models.DateTimeField(auto_now_add=True)
`);

const serializersV0 = code(`
from wishlists.models import Wishlist


def serialize_wishlist(wishlist: Wishlist) -> dict:
    items = wishlist.items.select_related("product").order_by("-added_at")
    return {
        "id": wishlist.id,
        "name": wishlist.name,
        "items": [
            {
                "sku": item.product.sku,
                "name": item.product.name,
                "price": str(item.product.base_price),
                "added_at": item.added_at.isoformat(),
            }
            for item in items
        ],
    }
`);

const serializersV2 = code(`
from products.models import Price
from wishlists.models import Wishlist


def serialize_wishlist(wishlist: Wishlist, region: str) -> dict:
    items = wishlist.items.select_related("product").order_by("-added_at")
    result = []
    for item in items:
        price = (
            Price.objects.filter(product_id=item.product_id, region=region)
            .order_by("-valid_from")
            .first()
        )
        result.append(
            {
                "sku": item.product.sku,
                "name": item.product.name,
                "price": str(price.amount if price else item.product.base_price),
                "currency": price.currency if price else "EUR",
                "in_stock": item.product.stock > 0,
                "added_at": item.added_at.isoformat(),
            }
        )
    return {"id": wishlist.id, "name": wishlist.name, "items": result}
`);

const viewsV0 = code(`
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views import View

from wishlists.models import Wishlist
from wishlists.serializers import serialize_wishlist


class WishlistDetailView(View):
    def get(self, request, wishlist_id: int):
        wishlist = get_object_or_404(Wishlist, id=wishlist_id, owner=request.user)
        return JsonResponse(serialize_wishlist(wishlist))
`);

const viewsV2 = code(`
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views import View

from wishlists.models import Wishlist
from wishlists.serializers import serialize_wishlist


class WishlistDetailView(View):
    def get(self, request, wishlist_id: int):
        wishlist = get_object_or_404(Wishlist, id=wishlist_id, owner=request.user)
        region = request.headers.get("X-Region", "EU")
        return JsonResponse(serialize_wishlist(wishlist, region))
`);

const repo: RepoSpec = {
  name: REPO,
  projects: [CATALOG.slug],
  commits: [
    {
      ...IVY,
      message: "catalog-api: products and wishlists",
      date: daysAgo(77),
      files: {
        "requirements.txt": requirements,
        "catalog/__init__.py": "",
        "catalog/settings.py": settingsV0,
        "catalog/urls.py": urls,
        "products/__init__.py": "",
        "products/models.py": productModelsV0,
        "wishlists/__init__.py": "",
        "wishlists/models.py": wishlistModels,
        "wishlists/serializers.py": serializersV0,
        "wishlists/views.py": viewsV0,
      },
    },
    {
      ...BEN,
      message:
        "products: regional price lists (#188)\n\nprices_for_products() resolves the current price of many products in one query.",
      date: daysAgo(34),
      files: {
        "products/models.py": productModelsV1,
        "products/pricing.py": pricing,
        "products/views.py": productViews,
      },
    },
    {
      ...IVY,
      message: "wishlists: show regional price and stock for each item (#212)",
      date: daysAgo(9.3),
      files: { "wishlists/serializers.py": serializersV2, "wishlists/views.py": viewsV2 },
    },
    {
      ...BEN,
      message: "settings: persistent database connections (#215)",
      date: daysAgo(8.9),
      files: { "catalog/settings.py": settingsV3 },
    },
  ],
};

// ---- Sentry ----------------------------------------------------------------------------------------------

const REL = release({
  version: "catalog-api@2026.11.19",
  id: 51_900_119,
  project: CATALOG,
  repo,
  repoId: "131",
  commits: [2, 3],
  createdMs: ago(8 * DAY + 20 * HOUR),
  newGroups: 1,
  lastEventMs: ago(22 * MIN),
});

const ISSUE = "7380266";
const SHORT = "CATALOG-API-3R";
const EVENT = hexId("s08:event");
const TRACE = hexId("s08:trace");
const PROFILE = hexId("s08:profile");
const TX_NAME = "/api/wishlists/<int:wishlist_id>/";
const ROOT = hexId("s08:span:root", 16);
const VIEW = hexId("s08:span:view", 16);
const ITEMS = 24;

const PRICE_SQL =
  'SELECT "products_price"."id", "products_price"."product_id", "products_price"."region", "products_price"."amount", "products_price"."currency", "products_price"."valid_from" FROM "products_price" WHERE ("products_price"."product_id" = %s AND "products_price"."region" = %s) ORDER BY "products_price"."valid_from" DESC LIMIT 1';
const ITEMS_SQL =
  'SELECT "wishlists_wishlistitem"."id", "wishlists_wishlistitem"."wishlist_id", "wishlists_wishlistitem"."product_id", "wishlists_wishlistitem"."added_at", "products_product"."id", "products_product"."sku", "products_product"."name", "products_product"."base_price", "products_product"."stock" FROM "wishlists_wishlistitem" INNER JOIN "products_product" ON ("wishlists_wishlistitem"."product_id" = "products_product"."id") WHERE "wishlists_wishlistitem"."wishlist_id" = %s ORDER BY "wishlists_wishlistitem"."added_at" DESC';
const WISHLIST_SQL =
  'SELECT "wishlists_wishlist"."id", "wishlists_wishlist"."owner_id", "wishlists_wishlist"."name", "wishlists_wishlist"."created_at" FROM "wishlists_wishlist" WHERE ("wishlists_wishlist"."id" = %s AND "wishlists_wishlist"."owner_id" = %s) LIMIT 21';

interface SpanDef {
  id: string;
  parent: string;
  op: string;
  description: string;
  start: number;
  end: number;
}

const T0 = ago(22 * MIN);
const T_END = T0 + 651;

function spans(): SpanDef[] {
  const out: SpanDef[] = [
    {
      id: VIEW,
      parent: ROOT,
      op: "view.render",
      description: "WishlistDetailView",
      start: T0 + 9,
      end: T0 + 640,
    },
    {
      id: hexId("s08:span:wishlist", 16),
      parent: VIEW,
      op: "db",
      description: WISHLIST_SQL,
      start: T0 + 11,
      end: T0 + 14,
    },
    {
      id: hexId("s08:span:items", 16),
      parent: VIEW,
      op: "db",
      description: ITEMS_SQL,
      start: T0 + 16,
      end: T0 + 23,
    },
  ];
  for (let i = 0; i < ITEMS; i++) {
    const start = T0 + 25 + i * 25;
    out.push({
      id: hexId(`s08:span:price:${i}`, 16),
      parent: VIEW,
      op: "db",
      description: PRICE_SQL,
      start,
      end: start + 17 + (i % 4),
    });
  }
  return out;
}

const offenders = () => spans().filter((s) => s.description === PRICE_SQL);

function occurrence(): Json {
  const repeating = `db - ${PRICE_SQL}`;
  return {
    id: hexId("s08:occurrence"),
    projectId: CATALOG.id,
    eventId: EVENT,
    fingerprint: [`1-1006-${hexId("s08:fingerprint", 40)}`],
    issueTitle: "N+1 Query",
    subtitle: PRICE_SQL,
    resourceId: null,
    evidenceData: {
      op: "db",
      parentSpanIds: [VIEW],
      causeSpanIds: [hexId("s08:span:items", 16)],
      offenderSpanIds: offenders().map((s) => s.id),
      transactionName: TX_NAME,
      parentSpan: "view.render - WishlistDetailView",
      repeatingSpans: repeating,
      repeatingSpansCompact: PRICE_SQL,
      numRepeatingSpans: String(ITEMS),
    },
    evidenceDisplay: [
      { name: "Offending Spans", value: repeating, important: true },
      { name: "Transaction Name", value: TX_NAME, important: false },
      { name: "Parent Span", value: "view.render - WishlistDetailView", important: false },
      { name: `Repeating Spans (${ITEMS})`, value: PRICE_SQL, important: true },
    ],
    type: 1006,
    detectionTime: new Date(T_END + 1_700).toISOString(),
    level: "info",
    culprit: TX_NAME,
    priority: 50,
    assignee: null,
  };
}

function transactionEvent(): Json {
  const all = spans();
  const url = "https://catalog.acme.shop/api/wishlists/90417/";
  const base = errorEvent({
    id: EVENT,
    issueId: ISSUE,
    project: CATALOG,
    type: "transaction",
    platform: "python",
    title: TX_NAME,
    culprit: TX_NAME,
    location: TX_NAME,
    dateMs: T_END,
    entries: [
      {
        type: "spans",
        data: all.map((s) => ({
          timestamp: secs(s.end),
          start_timestamp: secs(s.start),
          exclusive_time: s.end - s.start,
          op: s.op,
          description: s.description,
          span_id: s.id,
          parent_span_id: s.parent,
          trace_id: TRACE,
          status: "ok",
          tags: null,
          data: s.op === "db" ? { "db.system": "postgresql", "db.name": "catalog" } : {},
          hash: hexId(`s08:hash:${s.description}`, 16),
          same_process_as_parent: true,
          origin: s.op === "db" ? "auto.db.django" : "auto.http.django",
        })),
      },
      requestEntry({
        method: "GET",
        url,
        headers: [
          ["Accept", "application/json"],
          ["Host", "catalog.acme.shop"],
          ["X-Region", "DE"],
          ["User-Agent", "AcmeShop/5.2.0 (iPhone; iOS 18.1)"],
        ],
      }),
    ],
    tags: {
      environment: "production",
      "http.status_code": "200",
      level: "info",
      release: REL.version,
      "runtime.name": "CPython",
      server_name: "catalog-api-86b7c9d4f-5hxqd",
      transaction: TX_NAME,
      url,
    },
    contexts: {
      trace: {
        trace_id: TRACE,
        span_id: ROOT,
        op: "http.server",
        status: "ok",
        origin: "auto.http.django",
        sampled: true,
        type: "trace",
      },
      profile: { profile_id: PROFILE, type: "profile" },
      runtime: { name: "CPython", version: "3.12.7", type: "runtime" },
    },
    sdk: { name: "sentry.python.django", version: "2.19.2" },
    release: eventRelease(REL),
    metadata: { location: TX_NAME, title: TX_NAME },
  });
  return {
    ...base,
    message: "",
    occurrence: occurrence(),
    fingerprints: [`1-1006-${hexId("s08:fingerprint", 40)}`],
    startTimestamp: secs(T0),
    endTimestamp: secs(T_END),
    measurements: null,
    breakdowns: null,
    projectSlug: CATALOG.slug,
  };
}

function traceNodes(): Json[] {
  const common = { project: CATALOG, sdk: "sentry.python.django", transaction: TX_NAME, txId: EVENT };
  const ref = issueRef({
    eventId: EVENT,
    issueId: ISSUE,
    shortId: SHORT,
    project: CATALOG,
    title: "N+1 Query",
    culprit: TX_NAME,
    transaction: TX_NAME,
    ms: T0,
    level: "info",
    occurrence: { type: 1006, endMs: T_END },
  });
  const all = spans();
  const node = (s: SpanDef): Json =>
    spanNode({
      ...common,
      id: s.id,
      parent: s.parent,
      op: s.op,
      description: s.description,
      start: s.start,
      end: s.end,
      profileId: PROFILE,
      attributes: s.op === "db" ? { "db.system": "postgresql" } : {},
      children: all.filter((c) => c.parent === s.id).map(node),
    });
  return [
    spanNode({
      ...common,
      id: ROOT,
      parent: null,
      op: "http.server",
      description: `GET ${TX_NAME}`,
      start: T0,
      end: T_END,
      isTransaction: true,
      profileId: PROFILE,
      attributes: { "http.request.method": "GET", "http.response.status_code": 200 },
      occurrences: [ref],
      children: all.filter((s) => s.parent === ROOT).map(node),
    }),
  ];
}

function profile(): Json {
  const lib = (fn: string, path: string, lineno: number): Json => ({
    function: fn,
    module: path.replace(/\.py$/, "").replace(/\//g, "."),
    filename: path,
    abs_path: `/usr/local/lib/python3.12/site-packages/${path}`,
    lineno,
    in_app: false,
  });
  const app = (fn: string, path: string, src: string, at: string): Json => ({
    function: fn,
    module: path.replace(/\.py$/, "").replace(/\//g, "."),
    filename: path,
    abs_path: `/srv/catalog/${path}`,
    lineno: lineOf(src, at),
    in_app: true,
  });
  const frames = [
    /* 0 */ lib("_get_response", "django/core/handlers/base.py", 197),
    /* 1 */ lib("view", "django/views/generic/base.py", 104),
    /* 2 */ lib("dispatch", "django/views/generic/base.py", 143),
    /* 3 */ app(
      "get",
      "wishlists/views.py",
      viewsV2,
      "return JsonResponse(serialize_wishlist(wishlist, region))",
    ),
    /* 4 */ app("serialize_wishlist", "wishlists/serializers.py", serializersV2, ".first()"),
    /* 5 */ lib("first", "django/db/models/query.py", 1101),
    /* 6 */ lib("_fetch_all", "django/db/models/query.py", 1949),
    /* 7 */ lib("execute_sql", "django/db/models/sql/compiler.py", 1574),
    /* 8 */ lib("_execute", "django/db/backends/utils.py", 105),
    /* 9 */ lib("execute", "psycopg/cursor.py", 97),
    /* 10 */ app("serialize_wishlist", "wishlists/serializers.py", serializersV2, "result.append("),
    /* 11 */ app("serialize_wishlist", "wishlists/serializers.py", serializersV2, "for item in items:"),
    /* 12 */ lib("as_sql", "django/db/models/sql/compiler.py", 751),
  ];
  // Leaf → root, as the raw sample format lists them.
  const stacks = [
    /* 0: waiting on a price query */ [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    /* 1: compiling a price query  */ [12, 7, 6, 5, 4, 3, 2, 1, 0],
    /* 2: the loop itself          */ [4, 3, 2, 1, 0],
    /* 3: building an item dict    */ [10, 3, 2, 1, 0],
    /* 4: the items query          */ [9, 8, 7, 6, 11, 3, 2, 1, 0],
    /* 5: the view                 */ [3, 2, 1, 0],
  ];
  const pattern = [
    5, 4, 4, 0, 0, 1, 0, 0, 2, 0, 0, 1, 0, 3, 0, 0, 0, 1, 0, 0, 2, 0, 0, 0, 1, 0, 3, 0, 0, 0, 1, 0, 0, 2, 0,
    0, 0, 1, 0, 3, 0, 0, 0, 1, 0, 0, 2, 0, 0, 0, 1, 0, 3, 0, 0, 0, 0, 1, 0, 2, 0, 3, 5, 5,
  ];
  const intervalNs = 10_000_000;
  return {
    event_id: PROFILE,
    profile_id: PROFILE,
    project_id: CATALOG.id,
    platform: "python",
    environment: "production",
    version: "1",
    received: new Date(T_END + 2_300).toISOString(),
    timestamp: new Date(T0).toISOString(),
    release: eventRelease(REL),
    transaction: {
      name: TX_NAME,
      id: EVENT,
      trace_id: TRACE,
      active_thread_id: 140_213_774_509_888,
      relative_start_ns: "0",
      relative_end_ns: String((T_END - T0) * 1_000_000),
    },
    device: { architecture: "x86_64", is_emulator: false, locale: "", manufacturer: "", model: "" },
    os: { name: "Linux", version: "6.1.112", build_number: "" },
    runtime: { name: "CPython", version: "3.12.7" },
    client_sdk: { name: "sentry.python.django", version: "2.19.2" },
    profile: {
      frames,
      stacks,
      samples: pattern.map((stack_id, i) => ({
        stack_id,
        thread_id: 140_213_774_509_888,
        elapsed_since_start_ns: String(i * intervalNs),
      })),
      thread_metadata: { "140213774509888": { name: "MainThread" } },
    },
  };
}

const first = 8 * DAY + 19 * HOUR;
const tags = [
  tagDistribution("environment", [["production", 1_206, first, 22 * MIN]]),
  tagDistribution("release", [[REL.version, 1_206, first, 22 * MIN]]),
  tagDistribution("transaction", [[TX_NAME, 1_206, first, 22 * MIN]]),
  tagDistribution("http.status_code", [["200", 1_206, first, 22 * MIN]]),
];

export const s08: CorpusScenario = {
  name: "s08-n-plus-one-profile",
  story:
    "CATALOG-API-3R is an N+1 Query performance issue on GET /api/wishlists/<int:wishlist_id>/, first seen " +
    "right after catalog-api@2026.11.19. There is no exception. The transaction's spans show one items query " +
    `followed by ${ITEMS} identical products_price queries, one per wishlist item, all under the ` +
    "WishlistDetailView view span, and the profile puts most samples in serialize_wishlist " +
    "(wishlists/serializers.py) → QuerySet.first → psycopg. #212 ('show regional price and stock for each " +
    "item') added a Price.objects.filter(...).first() inside the item loop, although products.pricing already " +
    "has prices_for_products(), which resolves all prices in one query. The fix is in serialize_wishlist: " +
    "collect the product ids and call prices_for_products once.",
  issue: SHORT,
  repos: [repo],
  expected: {
    verdict: "in_app",
    repo: REPO,
    file: "wishlists/serializers.py",
    function: "serialize_wishlist",
    introducedBy: { repo: REPO, commit: 2 },
  },
  sentry: {
    organization: organization(),
    projects: [{ ...projectJson(CATALOG, REL.version), hasProfiles: true }],
    issues: [
      {
        issue: issueDetails({
          id: ISSUE,
          shortId: SHORT,
          project: CATALOG,
          title: "N+1 Query",
          culprit: TX_NAME,
          platform: "python",
          level: "warning",
          type: "performance_n_plus_one_db_queries",
          issueType: "performance_n_plus_one_db_queries",
          issueCategory: "performance",
          metadata: { title: "N+1 Query", value: PRICE_SQL, initial_priority: 50 },
          priority: "medium",
          isUnhandled: false,
          substatus: "ongoing",
          count: 1_206,
          userCount: 377,
          firstSeenMs: ago(first),
          lastSeenMs: T_END,
          firstRelease: releaseStub(REL),
          lastRelease: releaseStub(REL),
          tagDistributions: tags,
        }),
        events: [transactionEvent()],
        recommendedEventId: EVENT,
        tags,
      },
    ],
    traces: { [TRACE]: { meta: traceMeta(traceNodes(), 0), nodes: traceNodes() } },
    profiles: { [PROFILE]: profile() },
    ...releasesOf([REL]),
  },
};
