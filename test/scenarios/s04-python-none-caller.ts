import type { Json } from "../../src/sandbox/scenario.ts";
import {
  ago,
  breadcrumb,
  breadcrumbsEntry,
  chainEvents,
  code,
  committersPayload,
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
  sentryCommit,
  sourceFrame,
  tagDistribution,
} from "./builders.ts";
import type { CorpusScenario, RepoSpec } from "./types.ts";

/**
 * S04: order confirmation emails for digital gift cards crash in the generic `format_address` helper with
 * AttributeError: 'NoneType' object has no attribute 'name'. The helper is fine; the confirmation email passes
 * `order.shipping_address`, which #57 made optional for digital orders without updating this caller.
 */

const NOTIFY: ProjectDef = { id: 4541, slug: "notifications", platform: "python-celery" };
const REPO = "acme/notifications";

const PRIYA = { author: "Priya Raman", email: "priya.raman@acme.shop" };
const TOM = { author: "Tom Becker", email: "tom.becker@acme.shop" };

const requirementsV0 = code(`
celery[redis]==5.4.0
requests==2.32.3
sentry-sdk[celery]==2.19.2
`);

const requirementsV2 = code(`
babel==2.16.0
celery[redis]==5.4.0
requests==2.32.3
sentry-sdk[celery]==2.19.2
`);

const appInit = code(`
"""Customer notifications: transactional emails sent from Celery tasks."""
`);

const celeryApp = code(`
import os

import sentry_sdk
from celery import Celery

sentry_sdk.init(
    dsn=os.environ.get("SENTRY_DSN"),
    release=os.environ.get("RELEASE"),
    environment=os.environ.get("APP_ENV", "development"),
)

celery = Celery("notifications", broker=os.environ.get("BROKER_URL", "redis://localhost:6379/0"))
celery.conf.task_acks_late = True
celery.autodiscover_tasks(["app"])
`);

const mailer = code(`
import os

import requests

MAILER_URL = os.environ.get("MAILER_URL", "http://mailer.internal")


class MailerError(Exception):
    pass


def send(message: dict) -> None:
    resp = requests.post(f"{MAILER_URL}/v1/send", json=message, timeout=10)
    if resp.status_code >= 500:
        raise MailerError(f"mailer answered {resp.status_code}")
    resp.raise_for_status()
`);

const modelsV0 = code(`
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Address:
    name: str
    line1: str
    line2: str | None
    postal_code: str
    city: str
    country: str


@dataclass(frozen=True)
class OrderLine:
    title: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class Order:
    id: str
    email: str
    currency: str
    lines: list[OrderLine]
    total: Decimal
    shipping_address: Address
    kind: str = "physical"

    @classmethod
    def from_api(cls, data: dict) -> Order:
        return cls(
            id=data["id"],
            email=data["email"],
            currency=data["currency"],
            lines=[OrderLine(x["title"], x["quantity"], Decimal(x["unit_price"])) for x in data["lines"]],
            total=Decimal(data["total"]),
            shipping_address=Address(**data["shipping_address"]),
            kind=data.get("kind", "physical"),
        )
`);

const modelsV3 = edit(
  edit(
    modelsV0,
    "    shipping_address: Address\n",
    "    # Digital orders (gift cards, e-books) are delivered by email and have no shipping address.\n    shipping_address: Address | None\n",
  ),
  `            shipping_address=Address(**data["shipping_address"]),`,
  `            shipping_address=Address(**data["shipping_address"]) if data.get("shipping_address") else None,`,
);

const formattingV0 = code(`
"""Small, generic formatting helpers shared by every email template."""

from datetime import date
from decimal import Decimal


def format_money(amount: Decimal, currency: str) -> str:
    return f"{amount:.2f} {currency}"


def format_date(value: date) -> str:
    return value.strftime("%-d %B %Y")


def format_address(addr) -> str:
    """A postal address as printed on emails and labels, one line per field."""
    lines = [addr.name, addr.line1]
    if addr.line2:
        lines.append(addr.line2)
    lines.append(f"{addr.postal_code} {addr.city}")
    lines.append(addr.country)
    return "\\n".join(lines)
`);

const formattingV2 = code(`
"""Small, generic formatting helpers shared by every email template."""

from datetime import date
from decimal import Decimal

from babel.numbers import format_currency


def format_money(amount: Decimal, currency: str, locale: str = "en_GB") -> str:
    return format_currency(amount, currency, locale=locale)


def format_date(value: date) -> str:
    return value.strftime("%-d %B %Y")


def format_address(addr) -> str:
    """A postal address as printed on emails and labels, one line per field."""
    lines = [addr.name, addr.line1]
    if addr.line2:
        lines.append(addr.line2)
    lines.append(f"{addr.postal_code} {addr.city}")
    lines.append(addr.country)
    return "\\n".join(lines)
`);

const emailsInit = code(`
"""One module per email; each returns the message dict the mailer expects."""
`);

const confirmation = code(`
from app.formatting import format_address, format_money
from app.models import Order


def build_confirmation_email(order: Order) -> dict:
    items = "\\n".join(
        f"  {line.quantity} x {line.title}  {format_money(line.unit_price * line.quantity, order.currency)}"
        for line in order.lines
    )
    body = (
        f"Thanks for your order {order.id}!\\n\\n"
        f"{items}\\n\\n"
        f"Total: {format_money(order.total, order.currency)}\\n\\n"
        f"We'll ship it to:\\n{format_address(order.shipping_address)}\\n"
    )
    return {"to": order.email, "subject": f"Order {order.id} confirmed", "text": body}
`);

const dispatchV1 = code(`
from app.formatting import format_address
from app.models import Order


def build_dispatch_email(order: Order, carrier: str, tracking_number: str) -> dict:
    body = (
        f"Good news: order {order.id} has left our warehouse with {carrier.upper()}.\\n\\n"
        f"Tracking number: {tracking_number}\\n\\n"
        f"It is on its way to:\\n{format_address(order.shipping_address)}\\n"
    )
    return {"to": order.email, "subject": f"Order {order.id} is on its way", "text": body}
`);

const dispatchV3 = code(`
from app.formatting import format_address
from app.models import Order


def build_dispatch_email(order: Order, carrier: str, tracking_number: str) -> dict | None:
    if order.shipping_address is None:
        # Digital orders are delivered by email; nothing leaves the warehouse.
        return None
    body = (
        f"Good news: order {order.id} has left our warehouse with {carrier.upper()}.\\n\\n"
        f"Tracking number: {tracking_number}\\n\\n"
        f"It is on its way to:\\n{format_address(order.shipping_address)}\\n"
    )
    return {"to": order.email, "subject": f"Order {order.id} is on its way", "text": body}
`);

const tasksV0 = code(`
import os

import requests
import sentry_sdk

from app.celery_app import celery
from app.emails.confirmation import build_confirmation_email
from app.mailer import send
from app.models import Order

ORDERS_API = os.environ.get("ORDERS_API_URL", "http://orders-api.internal")


def _load_order(order_id: str) -> Order:
    resp = requests.get(f"{ORDERS_API}/v1/orders/{order_id}", timeout=5)
    resp.raise_for_status()
    return Order.from_api(resp.json())


@celery.task(name="notifications.send_order_confirmation")
def send_order_confirmation(order_id: str) -> None:
    order = _load_order(order_id)
    sentry_sdk.set_tag("order.kind", order.kind)
    send(build_confirmation_email(order))
`);

const tasksV1 = code(`
import os

import requests
import sentry_sdk

from app.celery_app import celery
from app.emails.confirmation import build_confirmation_email
from app.emails.dispatch import build_dispatch_email
from app.mailer import send
from app.models import Order

ORDERS_API = os.environ.get("ORDERS_API_URL", "http://orders-api.internal")


def _load_order(order_id: str) -> Order:
    resp = requests.get(f"{ORDERS_API}/v1/orders/{order_id}", timeout=5)
    resp.raise_for_status()
    return Order.from_api(resp.json())


@celery.task(name="notifications.send_order_confirmation")
def send_order_confirmation(order_id: str) -> None:
    order = _load_order(order_id)
    sentry_sdk.set_tag("order.kind", order.kind)
    send(build_confirmation_email(order))


@celery.task(name="notifications.send_dispatch_notice")
def send_dispatch_notice(order_id: str, carrier: str, tracking_number: str) -> None:
    order = _load_order(order_id)
    message = build_dispatch_email(order, carrier, tracking_number)
    if message is not None:
        send(message)
`);

const tasksV4 = edit(
  edit(
    tasksV1,
    `@celery.task(name="notifications.send_order_confirmation")`,
    `@celery.task(
    name="notifications.send_order_confirmation",
    autoretry_for=(MailerError,),
    retry_backoff=True,
    max_retries=5,
)`,
  ),
  "from app.mailer import send\n",
  "from app.mailer import MailerError, send\n",
);

const repo: RepoSpec = {
  name: REPO,
  projects: [NOTIFY.slug],
  commits: [
    {
      ...TOM,
      message: "notifications: order confirmation email",
      date: daysAgo(52),
      files: {
        "requirements.txt": requirementsV0,
        "app/__init__.py": appInit,
        "app/celery_app.py": celeryApp,
        "app/mailer.py": mailer,
        "app/models.py": modelsV0,
        "app/formatting.py": formattingV0,
        "app/emails/__init__.py": emailsInit,
        "app/emails/confirmation.py": confirmation,
        "app/tasks.py": tasksV0,
      },
    },
    {
      ...TOM,
      message: "emails: dispatch notice when the parcel leaves the warehouse (#49)",
      date: daysAgo(31),
      files: { "app/emails/dispatch.py": dispatchV1, "app/tasks.py": tasksV1 },
    },
    {
      ...PRIYA,
      message: "formatting: localise money amounts with babel (#53)",
      date: daysAgo(11),
      files: { "requirements.txt": requirementsV2, "app/formatting.py": formattingV2 },
    },
    {
      ...PRIYA,
      message:
        "orders: digital gift cards are sold without a shipping address (#57)\n\nOrder.shipping_address is now optional; the orders API omits it for kind=digital. The dispatch notice is skipped for digital orders.",
      date: daysAgo(3.1),
      files: { "app/models.py": modelsV3, "app/emails/dispatch.py": dispatchV3 },
    },
    {
      ...TOM,
      message: "tasks: retry mailer outages with exponential backoff (#58)",
      date: daysAgo(2.9),
      files: { "app/tasks.py": tasksV4 },
    },
  ],
};

// ---- Sentry ----------------------------------------------------------------------------------------------

const REL = release({
  version: "notifications@1.12.0",
  id: 51_500_264,
  project: NOTIFY,
  repo,
  repoId: "91",
  commits: [2, 3, 4],
  createdMs: ago(2 * DAY + 20 * HOUR),
  newGroups: 1,
  lastEventMs: ago(12 * MIN),
});

const ISSUE = "7340351";
const SHORT = "NOTIFICATIONS-9F";
const TITLE = "AttributeError: 'NoneType' object has no attribute 'name'";
const EVENTS = [
  { id: hexId("s04:event:1"), ms: ago(2 * DAY + 17 * HOUR), order: "ord_GC81kd2Q" },
  { id: hexId("s04:event:2"), ms: ago(12 * MIN), order: "ord_GC9xPl4a" },
];

const site = (path: string, module: string, fn: string, lineNo: number) =>
  libraryFrame({
    filename: path,
    absPath: `/usr/local/lib/python3.12/site-packages/${path}`,
    module,
    fn,
    lineNo,
  });

function frames(order: string): Json[] {
  const app = (src: string, path: string, fn: string, at: string, vars: Json) =>
    sourceFrame({
      src,
      at,
      fn,
      filename: path,
      absPath: `/usr/src/app/${path}`,
      module: path.replace(/\.py$/, "").replace(/\//g, "."),
      vars,
    });
  const orderRepr = `Order(id='${order}', email='[Filtered]', currency='EUR', lines=[...], total=Decimal('50.00'), shipping_address=None, kind='digital')`;
  return [
    site("celery/app/trace.py", "celery.app.trace", "trace_task", 453),
    site("celery/app/trace.py", "celery.app.trace", "__protected_call__", 736),
    app(tasksV4, "app/tasks.py", "send_order_confirmation", "send(build_confirmation_email(order))", {
      order_id: `'${order}'`,
      order: orderRepr,
    }),
    app(
      confirmation,
      "app/emails/confirmation.py",
      "build_confirmation_email",
      "{format_address(order.shipping_address)}",
      {
        order: orderRepr,
        items: "'  1 x Acme gift card (digital)  €50.00'",
      },
    ),
    app(formattingV2, "app/formatting.py", "format_address", "lines = [addr.name, addr.line1]", {
      addr: "None",
    }),
  ];
}

function confirmationEvent(e: (typeof EVENTS)[number]): Json {
  return errorEvent({
    id: e.id,
    issueId: ISSUE,
    project: NOTIFY,
    platform: "python",
    title: TITLE,
    culprit: "app.formatting in format_address",
    location: "app/formatting.py",
    dateMs: e.ms,
    entries: [
      exceptionEntry([
        exceptionValue({
          type: "AttributeError",
          value: "'NoneType' object has no attribute 'name'",
          mechanism: { type: "celery", handled: false },
          frames: frames(e.order),
        }),
      ]),
      breadcrumbsEntry([
        breadcrumb(e.ms - 61, "http", "httplib", null, {
          method: "GET",
          url: `http://orders-api.internal/v1/orders/${e.order}`,
          status_code: 200,
          reason: "OK",
        }),
      ]),
    ],
    tags: {
      celery_task_id: hexId(`s04:task:${e.id}`).replace(
        /^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/,
        "$1-$2-$3-$4-$5",
      ),
      environment: "production",
      handled: "no",
      level: "error",
      mechanism: "celery",
      "order.kind": "digital",
      release: REL.version,
      "runtime.name": "CPython",
      server_name: "notifications-worker-6c8f5d7b9-vw2rx",
      transaction: "notifications.send_order_confirmation",
    },
    contexts: {
      trace: {
        trace_id: hexId(`s04:trace:${e.id}`),
        span_id: hexId(`s04:span:${e.id}`, 16),
        op: "queue.task.celery",
        status: "internal_error",
        origin: "auto.queue.celery",
        sampled: true,
        type: "trace",
      },
      runtime: { name: "CPython", version: "3.12.7", type: "runtime" },
    },
    extra: {
      "celery-job": { task_name: "notifications.send_order_confirmation", args: [e.order], kwargs: {} },
    },
    sdk: { name: "sentry.python.celery", version: "2.19.2" },
    release: eventRelease(REL),
    metadata: {
      type: "AttributeError",
      value: "'NoneType' object has no attribute 'name'",
      filename: "app/formatting.py",
      function: "format_address",
    },
  });
}

const tags = [
  tagDistribution("environment", [["production", 96, 2 * DAY + 17 * HOUR, 12 * MIN]]),
  tagDistribution("release", [[REL.version, 96, 2 * DAY + 17 * HOUR, 12 * MIN]]),
  tagDistribution("order.kind", [["digital", 96, 2 * DAY + 17 * HOUR, 12 * MIN]]),
  tagDistribution("transaction", [
    ["notifications.send_order_confirmation", 96, 2 * DAY + 17 * HOUR, 12 * MIN],
  ]),
];

const wrongSuspect = sentryCommit(repo, 2, "91");

export const s04: CorpusScenario = {
  name: "s04-python-none-caller",
  story:
    "NOTIFICATIONS-9F: order confirmation emails fail with AttributeError: 'NoneType' object has no attribute " +
    "'name', raised in format_address (app/formatting.py), a generic helper that formats whatever address it " +
    "is given; its addr local is None. One frame up, build_confirmation_email (app/emails/confirmation.py) " +
    "passes order.shipping_address unconditionally. Every event is tagged order.kind=digital, and " +
    "notifications@1.12.0 shipped #57 ('digital gift cards are sold without a shipping address'), which made " +
    "Order.shipping_address optional and guarded the dispatch email but not the confirmation email. Sentry's " +
    "suspect commit is #53 (babel money formatting in formatting.py), which only matched the helper's file and " +
    "is unrelated. The helper is correct; the fix is in build_confirmation_email: omit the 'We'll ship it to' " +
    "block when shipping_address is None.",
  issue: SHORT,
  repos: [repo],
  expected: {
    verdict: "in_app",
    repo: REPO,
    file: "app/emails/confirmation.py",
    function: "build_confirmation_email",
    introducedBy: { repo: REPO, commit: 3 },
  },
  sentry: {
    organization: organization(),
    projects: [projectJson(NOTIFY, REL.version)],
    issues: [
      {
        issue: issueDetails({
          id: ISSUE,
          shortId: SHORT,
          project: NOTIFY,
          title: TITLE,
          culprit: "app.formatting in format_address",
          platform: "python",
          metadata: {
            type: "AttributeError",
            value: "'NoneType' object has no attribute 'name'",
            filename: "app/formatting.py",
            function: "format_address",
            in_app_frame_mix: "mixed",
          },
          substatus: "ongoing",
          count: 96,
          userCount: 0,
          firstSeenMs: EVENTS[0]!.ms,
          lastSeenMs: EVENTS[1]!.ms,
          firstRelease: releaseStub(REL),
          lastRelease: releaseStub(REL),
          tagDistributions: tags,
        }),
        events: chainEvents(EVENTS.map(confirmationEvent)),
        tags,
      },
    ],
    logs: logRows(
      EVENTS.map((e) => ({
        project: NOTIFY.slug,
        trace: hexId(`s04:trace:${e.id}`),
        ms: e.ms + 3,
        severity: "error" as const,
        message: `Task notifications.send_order_confirmation[${e.order}] raised unexpected: AttributeError("'NoneType' object has no attribute 'name'")`,
      })),
    ),
    ...releasesOf([REL]),
    committers: Object.fromEntries(
      EVENTS.map((e) => [e.id, committersPayload(wrongSuspect, "via commit in release")] as const),
    ),
  },
};
