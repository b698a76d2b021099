import type { Json } from "../../src/sandbox/scenario.ts";
import {
  ago,
  breadcrumb,
  breadcrumbsEntry,
  chainEvents,
  code,
  DAY,
  daysAgo,
  edit,
  errorEvent,
  eventRelease,
  exceptionEntry,
  exceptionValue,
  HOUR,
  hexId,
  issueDetails,
  libraryFrame,
  logRows,
  MIN,
  organization,
  type ProjectDef,
  projectJson,
  release,
  releaseStub,
  releasesOf,
  requestEntry,
  SEC,
  sourceFrame,
  tagDistribution,
} from "./builders.ts";
import type { CorpusScenario, RepoSpec } from "./types.ts";

/**
 * S05: PaymentGatewayError raised from requests' ConnectionError ← urllib3 ProtocolError ← RemoteDisconnected.
 * The deepest exceptions live entirely in library code; the defect is in the app: #64 moved charges onto a
 * shared keep-alive Session with no retry and no timeout, and the processor closes idle connections.
 */

const PAYMENTS: ProjectDef = { id: 4551, slug: "payments", platform: "python-django" };
const REPO = "acme/payments-service";

const HANNA = { author: "Hanna Kowalski", email: "hanna.kowalski@acme.shop" };
const DIEGO = { author: "Diego Alvarez", email: "diego.alvarez@acme.shop" };

const requirements = code(`
django==5.1.4
gunicorn==23.0.0
requests==2.32.3
sentry-sdk[django]==2.19.2
`);

const settingsV0 = code(`
import os

import sentry_sdk

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["payments.internal", "localhost"]
ROOT_URLCONF = "payments.urls"
INSTALLED_APPS = ["django.contrib.contenttypes", "app"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
DATABASES = {}

sentry_sdk.init(
    dsn=os.environ.get("SENTRY_DSN"),
    release=os.environ.get("RELEASE"),
    environment=os.environ.get("APP_ENV", "development"),
    traces_sample_rate=0.2,
)
`);

const settingsV3 = code(`
import os

import sentry_sdk

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["payments.internal", "localhost"]
ROOT_URLCONF = "payments.urls"
INSTALLED_APPS = ["django.contrib.contenttypes", "app"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
DATABASES = {}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"format": '{"ts":"%(asctime)s","level":"%(levelname)s","msg":"%(message)s"}'}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stdout"], "level": "INFO"},
}

sentry_sdk.init(
    dsn=os.environ.get("SENTRY_DSN"),
    release=os.environ.get("RELEASE"),
    environment=os.environ.get("APP_ENV", "development"),
    traces_sample_rate=0.2,
)
`);

const urls = code(`
from django.urls import path

from app.views import ChargeView

urlpatterns = [
    path("v1/charges", ChargeView.as_view()),
]
`);

const appInit = code(`
"""Card payments: the charge endpoint and the processor gateway."""
`);

const gatewayV0 = code(`
import os

import requests


class PaymentGatewayError(Exception):
    """The processor could not be reached or did not answer; the charge state is unknown."""


class CardDeclined(Exception):
    def __init__(self, code: str):
        super().__init__(f"card declined: {code}")
        self.code = code


class PaymentGateway:
    def __init__(self, base_url: str | None = None, api_key: str | None = None):
        self.base_url = base_url or os.environ["PROCESSOR_URL"]
        self.api_key = api_key or os.environ["PROCESSOR_API_KEY"]

    def charge(self, order_id: str, amount_cents: int, currency: str, token: str) -> str:
        payload = {"amount": amount_cents, "currency": currency, "source": token, "reference": order_id}
        try:
            resp = requests.post(
                f"{self.base_url}/v1/charges",
                json=payload,
                headers={"Authorization": f"Bearer {self.api_key}"},
                timeout=(3.05, 20),
            )
        except requests.ConnectionError as exc:
            raise PaymentGatewayError("processor connection failed, charge state unknown") from exc
        if resp.status_code == 402:
            raise CardDeclined(resp.json().get("decline_code", "unknown"))
        resp.raise_for_status()
        return resp.json()["id"]
`);

const gatewayV1 = code(`
import os

import requests


class PaymentGatewayError(Exception):
    """The processor could not be reached or did not answer; the charge state is unknown."""


class CardDeclined(Exception):
    def __init__(self, code: str):
        super().__init__(f"card declined: {code}")
        self.code = code


class PaymentGateway:
    def __init__(self, base_url: str | None = None, api_key: str | None = None):
        self.base_url = base_url or os.environ["PROCESSOR_URL"]
        self.api_key = api_key or os.environ["PROCESSOR_API_KEY"]

    def charge(self, order_id: str, amount_cents: int, currency: str, token: str, idempotency_key: str) -> str:
        payload = {"amount": amount_cents, "currency": currency, "source": token, "reference": order_id}
        try:
            resp = requests.post(
                f"{self.base_url}/v1/charges",
                json=payload,
                headers={"Authorization": f"Bearer {self.api_key}", "Idempotency-Key": idempotency_key},
                timeout=(3.05, 20),
            )
        except requests.ConnectionError as exc:
            raise PaymentGatewayError("processor connection failed, charge state unknown") from exc
        if resp.status_code == 402:
            raise CardDeclined(resp.json().get("decline_code", "unknown"))
        resp.raise_for_status()
        return resp.json()["id"]
`);

const gatewayV2 = code(`
import os

import requests


class PaymentGatewayError(Exception):
    """The processor could not be reached or did not answer; the charge state is unknown."""


class CardDeclined(Exception):
    def __init__(self, code: str):
        super().__init__(f"card declined: {code}")
        self.code = code


class PaymentGateway:
    def __init__(self, base_url: str | None = None, api_key: str | None = None):
        self.base_url = base_url or os.environ["PROCESSOR_URL"]
        self.api_key = api_key or os.environ["PROCESSOR_API_KEY"]
        # One pooled session per worker: reuses the TLS connection to the processor between charges.
        self._session = requests.Session()
        self._session.headers["Authorization"] = f"Bearer {self.api_key}"

    def charge(self, order_id: str, amount_cents: int, currency: str, token: str, idempotency_key: str) -> str:
        payload = {"amount": amount_cents, "currency": currency, "source": token, "reference": order_id}
        try:
            resp = self._session.post(
                f"{self.base_url}/v1/charges",
                json=payload,
                headers={"Idempotency-Key": idempotency_key},
            )
        except requests.ConnectionError as exc:
            raise PaymentGatewayError("processor connection failed, charge state unknown") from exc
        if resp.status_code == 402:
            raise CardDeclined(resp.json().get("decline_code", "unknown"))
        resp.raise_for_status()
        return resp.json()["id"]
`);

const servicesV0 = code(`
import logging

from app.gateway import PaymentGateway

logger = logging.getLogger(__name__)
_gateway: PaymentGateway | None = None


def gateway() -> PaymentGateway:
    global _gateway
    if _gateway is None:
        _gateway = PaymentGateway()
    return _gateway


def capture_payment(order_id: str, amount_cents: int, currency: str, token: str) -> str:
    charge_id = gateway().charge(order_id, amount_cents, currency, token)
    logger.info("captured %s for order %s", charge_id, order_id)
    return charge_id
`);

const servicesV1 = code(`
import logging

from app.gateway import PaymentGateway

logger = logging.getLogger(__name__)
_gateway: PaymentGateway | None = None


def gateway() -> PaymentGateway:
    global _gateway
    if _gateway is None:
        _gateway = PaymentGateway()
    return _gateway


def capture_payment(order_id: str, amount_cents: int, currency: str, token: str, idempotency_key: str) -> str:
    charge_id = gateway().charge(order_id, amount_cents, currency, token, idempotency_key)
    logger.info("captured %s for order %s", charge_id, order_id)
    return charge_id
`);

const viewsV0 = code(`
import json
import logging

from django.http import JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from app.gateway import CardDeclined, PaymentGatewayError
from app.services import capture_payment

logger = logging.getLogger(__name__)


@method_decorator(csrf_exempt, name="dispatch")
class ChargeView(View):
    def post(self, request):
        body = json.loads(request.body)
        order_id = body["order_id"]
        try:
            charge_id = capture_payment(order_id, body["amount_cents"], body["currency"], body["token"])
        except CardDeclined as exc:
            return JsonResponse({"error": "card_declined", "code": exc.code}, status=402)
        except PaymentGatewayError:
            logger.exception("charge failed for order %s", order_id)
            return JsonResponse({"error": "processor_unavailable"}, status=502)
        return JsonResponse({"charge_id": charge_id}, status=201)
`);

const viewsV1 = edit(
  viewsV0,
  `            charge_id = capture_payment(order_id, body["amount_cents"], body["currency"], body["token"])`,
  `            charge_id = capture_payment(
                order_id,
                body["amount_cents"],
                body["currency"],
                body["token"],
                idempotency_key=request.headers.get("Idempotency-Key") or f"charge:{order_id}",
            )`,
);

const repo: RepoSpec = {
  name: REPO,
  projects: [PAYMENTS.slug],
  commits: [
    {
      ...HANNA,
      message: "payments: charge endpoint backed by the card processor",
      date: daysAgo(71),
      files: {
        "requirements.txt": requirements,
        "payments/__init__.py": "",
        "payments/settings.py": settingsV0,
        "payments/urls.py": urls,
        "app/__init__.py": appInit,
        "app/gateway.py": gatewayV0,
        "app/services.py": servicesV0,
        "app/views.py": viewsV0,
      },
    },
    {
      ...HANNA,
      message: "charges: forward idempotency keys to the processor (#58)",
      date: daysAgo(39),
      files: { "app/gateway.py": gatewayV1, "app/services.py": servicesV1, "app/views.py": viewsV1 },
    },
    {
      ...DIEGO,
      message:
        "gateway: reuse one requests.Session per worker for keep-alive (#64)\n\nSaves the TLS handshake on every charge (p50 -80ms).",
      date: daysAgo(6.4),
      files: { "app/gateway.py": gatewayV2 },
    },
    {
      ...DIEGO,
      message: "settings: JSON logging to stdout (#66)",
      date: daysAgo(6.2),
      files: { "payments/settings.py": settingsV3 },
    },
  ],
};

// ---- Sentry ----------------------------------------------------------------------------------------------

const REL = release({
  version: "payments@3.4.0",
  id: 51_600_077,
  project: PAYMENTS,
  repo,
  repoId: "101",
  commits: [2, 3],
  createdMs: ago(6 * DAY),
  newGroups: 1,
  lastEventMs: ago(18 * MIN),
});

const ISSUE = "7350093";
const SHORT = "PAYMENTS-4W";
const TITLE = "PaymentGatewayError: processor connection failed, charge state unknown";
const EVENTS = [
  {
    id: hexId("s05:event:1"),
    ms: ago(5 * DAY + 22 * HOUR),
    order: "ord_2Bn7Qw",
    idle: 4 * MIN + 12 * SEC,
    prevCharge: "ch_3Pq81KdA",
    prevOrder: "ord_2Bm4Xa",
  },
  {
    id: hexId("s05:event:2"),
    ms: ago(18 * MIN),
    order: "ord_8Lc3Hy",
    idle: 3 * MIN + 41 * SEC,
    prevCharge: "ch_3Qz07TmE",
    prevOrder: "ord_8Lb9Wq",
  },
];

const site = (path: string, fn: string, lineNo: number) =>
  libraryFrame({
    filename: path,
    absPath: `/usr/local/lib/python3.12/site-packages/${path}`,
    module: path.replace(/\.py$/, "").replace(/\//g, "."),
    fn,
    lineNo,
  });
const stdlib = (fn: string, lineNo: number) =>
  libraryFrame({
    filename: "http/client.py",
    absPath: "/usr/local/lib/python3.12/http/client.py",
    module: "http.client",
    fn,
    lineNo,
  });
const app = (src: string, path: string, fn: string, at: string, vars: Json | null = null) =>
  sourceFrame({
    src,
    at,
    fn,
    filename: path,
    absPath: `/srv/payments/${path}`,
    module: path.replace(/\.py$/, "").replace(/\//g, "."),
    vars,
  });

const chained = (id: number, parent: number, source: string): Json => ({
  type: "chained",
  handled: true,
  exception_id: id,
  parent_id: parent,
  source,
});

function values(order: string): Json[] {
  const aborted =
    "('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))";
  return [
    exceptionValue({
      type: "RemoteDisconnected",
      value: "Remote end closed connection without response",
      module: "http.client",
      mechanism: chained(3, 2, "__context__"),
      frames: [
        site("urllib3/connectionpool.py", "urlopen", 789),
        site("urllib3/connectionpool.py", "_make_request", 536),
        site("urllib3/connection.py", "getresponse", 507),
        stdlib("getresponse", 1428),
        stdlib("begin", 331),
        stdlib("_read_status", 300),
      ],
    }),
    exceptionValue({
      type: "ProtocolError",
      value: aborted,
      module: "urllib3.exceptions",
      mechanism: chained(2, 1, "__context__"),
      frames: [
        site("requests/adapters.py", "send", 667),
        site("urllib3/connectionpool.py", "urlopen", 843),
        site("urllib3/util/retry.py", "increment", 474),
        site("urllib3/util/util.py", "reraise", 38),
      ],
    }),
    exceptionValue({
      type: "ConnectionError",
      value: aborted,
      module: "requests.exceptions",
      mechanism: chained(1, 0, "__cause__"),
      frames: [
        app(gatewayV2, "app/gateway.py", "charge", "resp = self._session.post(", { order_id: `'${order}'` }),
        site("requests/sessions.py", "post", 637),
        site("requests/sessions.py", "request", 589),
        site("requests/sessions.py", "send", 703),
        site("requests/adapters.py", "send", 682),
      ],
    }),
    exceptionValue({
      type: "PaymentGatewayError",
      value: "processor connection failed, charge state unknown",
      module: "app.gateway",
      mechanism: { type: "logging", handled: true, exception_id: 0 },
      frames: [
        app(viewsV1, "app/views.py", "post", "charge_id = capture_payment(", { order_id: `'${order}'` }),
        app(servicesV1, "app/services.py", "capture_payment", "charge_id = gateway().charge("),
        app(gatewayV2, "app/gateway.py", "charge", "raise PaymentGatewayError(", {
          order_id: `'${order}'`,
          amount_cents: "8450",
          currency: "'EUR'",
          token: "[Filtered]",
          idempotency_key: `'charge:${order}'`,
        }),
      ],
    }),
  ];
}

function chargeEvent(e: (typeof EVENTS)[number]): Json {
  return errorEvent({
    id: e.id,
    issueId: ISSUE,
    project: PAYMENTS,
    platform: "python",
    title: TITLE,
    message: `charge failed for order ${e.order}`,
    culprit: "app.gateway in charge",
    location: "app/gateway.py",
    dateMs: e.ms,
    entries: [
      {
        type: "message",
        data: {
          formatted: `charge failed for order ${e.order}`,
          message: "charge failed for order %s",
          params: [e.order],
        },
      },
      exceptionEntry(values(e.order)),
      breadcrumbsEntry([
        breadcrumb(e.ms - e.idle, "http", "httplib", null, {
          method: "POST",
          url: "https://api.cardprocessor.example/v1/charges",
          status_code: 201,
          reason: "Created",
        }),
        breadcrumb(
          e.ms - e.idle + 2,
          "default",
          "app.services",
          `captured ${e.prevCharge} for order ${e.prevOrder}`,
          null,
        ),
        breadcrumb(
          e.ms - 3,
          "http",
          "httplib",
          null,
          {
            method: "POST",
            url: "https://api.cardprocessor.example/v1/charges",
          },
          "error",
        ),
      ]),
      requestEntry({
        method: "POST",
        url: "https://payments.internal/v1/charges",
        headers: [
          ["Content-Type", "application/json"],
          ["Idempotency-Key", `charge:${e.order}`],
          ["User-Agent", "orders-api/1.19.0"],
        ],
        data: { order_id: e.order, amount_cents: 8450, currency: "EUR", token: "[Filtered]" },
        inferredContentType: "application/json",
      }),
    ],
    tags: {
      environment: "production",
      handled: "yes",
      level: "error",
      logger: "app.views",
      mechanism: "logging",
      release: REL.version,
      "runtime.name": "CPython",
      server_name: e.idle > 4 * MIN ? "payments-7b8c9d5f6-k2m9p" : "payments-7b8c9d5f6-w4x1z",
      transaction: "/v1/charges",
      url: "https://payments.internal/v1/charges",
    },
    contexts: {
      trace: {
        trace_id: hexId(`s05:trace:${e.id}`),
        span_id: hexId(`s05:span:${e.id}`, 16),
        op: "http.server",
        status: "ok",
        origin: "auto.http.django",
        sampled: true,
        type: "trace",
      },
      runtime: { name: "CPython", version: "3.12.7", type: "runtime" },
    },
    sdk: { name: "sentry.python.django", version: "2.19.2" },
    release: eventRelease(REL),
    metadata: {
      type: "PaymentGatewayError",
      value: "processor connection failed, charge state unknown",
      filename: "app/gateway.py",
      function: "charge",
    },
  });
}

const tags = [
  tagDistribution("environment", [["production", 143, 5 * DAY + 22 * HOUR, 18 * MIN]]),
  tagDistribution("release", [[REL.version, 143, 5 * DAY + 22 * HOUR, 18 * MIN]]),
  tagDistribution("server_name", [
    ["payments-7b8c9d5f6-k2m9p", 49, 5 * DAY + 22 * HOUR, 2 * HOUR],
    ["payments-7b8c9d5f6-w4x1z", 48, 5 * DAY + 21 * HOUR, 18 * MIN],
    ["payments-7b8c9d5f6-q7r3d", 46, 5 * DAY + 20 * HOUR, 55 * MIN],
  ]),
  tagDistribution("transaction", [["/v1/charges", 143, 5 * DAY + 22 * HOUR, 18 * MIN]]),
];

export const s05: CorpusScenario = {
  name: "s05-python-chained-library",
  story:
    "PAYMENTS-4W: about 2% of charges since payments@3.4.0 fail with PaymentGatewayError (logged by the view, " +
    "HTTP 502 to orders-api). The chain, oldest first, is http.client RemoteDisconnected and urllib3 " +
    "ProtocolError, entirely in library code, then requests ConnectionError, then PaymentGatewayError raised by " +
    "PaymentGateway.charge (app/gateway.py). The libraries behave as designed: the processor closed an idle " +
    "keep-alive connection, and requests does not retry a POST on a reused socket. Breadcrumbs show the failing " +
    "worker's previous charge was 3-4 minutes earlier, and failures are spread evenly over pods. The release " +
    "shipped #64 ('reuse one requests.Session per worker for keep-alive'), which moved charge() onto a shared " +
    "Session with no retry adapter and also dropped the (connect, read) timeout. The fix is in charge(): retry " +
    "once on a dropped connection (safe because the Idempotency-Key is sent) and restore the timeout.",
  issue: SHORT,
  repos: [repo],
  expected: {
    verdict: "in_app",
    repo: REPO,
    file: "app/gateway.py",
    function: "charge",
    introducedBy: { repo: REPO, commit: 2 },
  },
  sentry: {
    organization: organization(),
    projects: [projectJson(PAYMENTS, REL.version)],
    issues: [
      {
        issue: issueDetails({
          id: ISSUE,
          shortId: SHORT,
          project: PAYMENTS,
          title: TITLE,
          culprit: "app.gateway in charge",
          platform: "python",
          metadata: {
            type: "PaymentGatewayError",
            value: "processor connection failed, charge state unknown",
            filename: "app/gateway.py",
            function: "charge",
            in_app_frame_mix: "mixed",
          },
          isUnhandled: false,
          substatus: "ongoing",
          count: 143,
          userCount: 139,
          firstSeenMs: EVENTS[0]!.ms,
          lastSeenMs: EVENTS[1]!.ms,
          firstRelease: releaseStub(REL),
          lastRelease: releaseStub(REL),
          tagDistributions: tags,
        }),
        events: chainEvents(EVENTS.map(chargeEvent)),
        tags,
      },
    ],
    logs: logRows(
      EVENTS.flatMap((e) => [
        {
          project: PAYMENTS.slug,
          trace: hexId(`s05:trace:${e.id}`),
          ms: e.ms,
          severity: "error" as const,
          message: `charge failed for order ${e.order}`,
          attrs: { logger: "app.views" },
        },
        {
          project: PAYMENTS.slug,
          trace: hexId(`s05:trace:prev:${e.id}`),
          ms: e.ms - e.idle + 2,
          severity: "info" as const,
          message: `captured ${e.prevCharge} for order ${e.prevOrder}`,
          attrs: { logger: "app.services" },
        },
      ]),
    ),
    ...releasesOf([REL]),
  },
};
