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
 * S11: KeyError: 'reduced' in build_invoice. The lookup is fine; the dict it indexes comes from
 * load_tax_rates() (app/tax/rates.py), which #131 changed to leave out the reduced rate for countries that
 * also have a super-reduced one. load_tax_rates already returned, so it is not on the stack. Sentry's suspect
 * commit blames the line that raised (#127, a field rename in builder.py).
 */

const INVOICING: ProjectDef = { id: 4611, slug: "invoicing", platform: "python-rq" };
const REPO = "acme/invoicing";

const AMELIE = { author: "Amélie Laurent", email: "amelie.laurent@acme.shop" };
const MATEO = { author: "Mateo Rossi", email: "mateo.rossi@acme.shop" };
const INGRID = { author: "Ingrid Berg", email: "ingrid.berg@acme.shop" };

const requirementsV0 = code(`
boto3==1.35.76
requests==2.32.3
rq==2.0.0
sentry-sdk[rq]==2.19.2
`);

const requirementsV1 = code(`
boto3==1.35.76
requests==2.32.3
rq==2.0.0
sentry-sdk[rq]==2.19.2
weasyprint==63.1
`);

const worker = code(`
import os

import sentry_sdk
from redis import Redis
from rq import Queue, Worker
from sentry_sdk.integrations.rq import RqIntegration

sentry_sdk.init(
    dsn=os.environ.get("SENTRY_DSN"),
    release=os.environ.get("RELEASE"),
    environment=os.environ.get("APP_ENV", "development"),
    integrations=[RqIntegration()],
)

if __name__ == "__main__":
    redis = Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
    Worker([Queue("invoices", connection=redis)], connection=redis).work()
`);

const appInit = code(`
"""Invoice generation for shop orders."""
`);

const ordersV0 = code(`
import os
from dataclasses import dataclass
from decimal import Decimal

import requests

ORDERS_API = os.environ.get("ORDERS_API_URL", "http://orders-api.internal")


@dataclass(frozen=True)
class OrderLine:
    title: str
    quantity: int
    unit_price: Decimal
    vat_class: str


@dataclass(frozen=True)
class Order:
    id: str
    country: str
    lines: list[OrderLine]


def fetch_order(order_id: str) -> Order:
    resp = requests.get(f"{ORDERS_API}/v1/orders/{order_id}", timeout=5)
    resp.raise_for_status()
    data = resp.json()
    return Order(
        id=data["id"],
        country=data["shipping_country"],
        lines=[
            OrderLine(x["title"], x["quantity"], Decimal(x["unit_price"]), x["vat_class"]) for x in data["lines"]
        ],
    )
`);

const ordersV2 = edit(
  edit(
    ordersV0,
    "    vat_class: str\n",
    "    # standard | reduced | zero: the product's tax category, not a rate.\n    tax_class: str\n",
  ),
  `Decimal(x["unit_price"]), x["vat_class"])`,
  `Decimal(x["unit_price"]), x["tax_class"])`,
);

const storage = code(`
import os

import boto3

_BUCKET = os.environ.get("INVOICE_BUCKET", "acme-invoices")
_s3 = boto3.client("s3")


def save_pdf(key: str, data: bytes) -> str:
    _s3.put_object(Bucket=_BUCKET, Key=key, Body=data, ContentType="application/pdf")
    return f"s3://{_BUCKET}/{key}"
`);

const tablesV0 = code(`
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class VatTable:
    standard: Decimal
    reduced: Decimal | None


VAT_TABLES = {
    "AT": VatTable(standard=Decimal("0.20"), reduced=Decimal("0.10")),
    "DE": VatTable(standard=Decimal("0.19"), reduced=Decimal("0.07")),
    "ES": VatTable(standard=Decimal("0.21"), reduced=Decimal("0.10")),
    "FR": VatTable(standard=Decimal("0.20"), reduced=Decimal("0.10")),
    "IT": VatTable(standard=Decimal("0.22"), reduced=Decimal("0.10")),
    "NL": VatTable(standard=Decimal("0.21"), reduced=Decimal("0.09")),
}
`);

const tablesV3 = code(`
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class VatTable:
    standard: Decimal
    reduced: Decimal | None
    super_reduced: Decimal | None = None


VAT_TABLES = {
    "AT": VatTable(standard=Decimal("0.20"), reduced=Decimal("0.10")),
    "DE": VatTable(standard=Decimal("0.19"), reduced=Decimal("0.07")),
    "ES": VatTable(standard=Decimal("0.21"), reduced=Decimal("0.10"), super_reduced=Decimal("0.04")),
    "FR": VatTable(standard=Decimal("0.20"), reduced=Decimal("0.10"), super_reduced=Decimal("0.055")),
    "IT": VatTable(standard=Decimal("0.22"), reduced=Decimal("0.10"), super_reduced=Decimal("0.04")),
    "NL": VatTable(standard=Decimal("0.21"), reduced=Decimal("0.09")),
}
`);

const ratesV0 = code(`
from decimal import Decimal

from app.tax.tables import VAT_TABLES

ZERO = Decimal("0")


def load_tax_rates(country: str) -> dict[str, Decimal]:
    """VAT rate per tax class for a destination country (EU one-stop-shop rules)."""
    table = VAT_TABLES[country]
    return {
        "standard": table.standard,
        "reduced": table.reduced,
        "zero": ZERO,
    }
`);

const ratesV3 = code(`
from decimal import Decimal

from app.tax.tables import VAT_TABLES

ZERO = Decimal("0")


def load_tax_rates(country: str) -> dict[str, Decimal]:
    """VAT rate per tax class for a destination country (EU one-stop-shop rules)."""
    table = VAT_TABLES[country]
    rates = {"standard": table.standard, "zero": ZERO}
    # Books and basic food get the super-reduced rate where a country has one.
    if table.super_reduced is not None:
        rates["super_reduced"] = table.super_reduced
    elif table.reduced is not None:
        rates["reduced"] = table.reduced
    return rates
`);

const builderV0 = code(`
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from app.orders import Order
from app.tax.rates import load_tax_rates

CENT = Decimal("0.01")


@dataclass
class InvoiceLine:
    description: str
    net: Decimal
    vat_rate: Decimal
    vat: Decimal


@dataclass
class Invoice:
    number: str
    order_id: str
    country: str
    lines: list[InvoiceLine]
    net_total: Decimal
    vat_total: Decimal


def build_invoice(order: Order, number: str) -> Invoice:
    rates = load_tax_rates(order.country)
    lines = []
    for line in order.lines:
        net = (line.unit_price * line.quantity).quantize(CENT, ROUND_HALF_UP)
        rate = rates[line.vat_class]
        lines.append(
            InvoiceLine(
                description=f"{line.title} x{line.quantity}",
                net=net,
                vat_rate=rate,
                vat=(net * rate).quantize(CENT, ROUND_HALF_UP),
            )
        )
    return Invoice(
        number=number,
        order_id=order.id,
        country=order.country,
        lines=lines,
        net_total=sum((x.net for x in lines), Decimal("0")),
        vat_total=sum((x.vat for x in lines), Decimal("0")),
    )
`);

const builderV2 = edit(
  edit(builderV0, "        rate = rates[line.vat_class]\n", "        rate = rates[line.tax_class]\n"),
  `description=f"{line.title} x{line.quantity}",`,
  `description=f"{line.quantity} × {line.title}",`,
);

const render = code(`
from weasyprint import HTML

from app.invoices.builder import Invoice


def render_pdf(invoice: Invoice) -> bytes:
    rows = "".join(
        f"<tr><td>{x.description}</td><td>{x.net}</td><td>{x.vat_rate * 100:.1f}%</td><td>{x.vat}</td></tr>"
        for x in invoice.lines
    )
    html = f"""
    <h1>Invoice {invoice.number}</h1>
    <p>Order {invoice.order_id}</p>
    <table>{rows}</table>
    <p>Net {invoice.net_total} + VAT {invoice.vat_total}</p>
    """
    return HTML(string=html).write_pdf()
`);

const jobsV0 = code(`
import sentry_sdk

from app.invoices.builder import build_invoice
from app.orders import fetch_order
from app.storage import save_pdf


def generate_invoice(order_id: str, number: str) -> str:
    order = fetch_order(order_id)
    sentry_sdk.set_tag("order.country", order.country)
    invoice = build_invoice(order, number)
    return save_pdf(f"{number}.json", repr(invoice).encode())
`);

const jobsV1 = code(`
import sentry_sdk

from app.invoices.builder import build_invoice
from app.invoices.render import render_pdf
from app.orders import fetch_order
from app.storage import save_pdf


def generate_invoice(order_id: str, number: str) -> str:
    order = fetch_order(order_id)
    sentry_sdk.set_tag("order.country", order.country)
    invoice = build_invoice(order, number)
    return save_pdf(f"{number}.pdf", render_pdf(invoice))
`);

const jobsV4 = code(`
from datetime import date

import sentry_sdk

from app.invoices.builder import build_invoice
from app.invoices.render import render_pdf
from app.orders import fetch_order
from app.storage import save_pdf


def generate_invoice(order_id: str, number: str) -> str:
    order = fetch_order(order_id)
    sentry_sdk.set_tag("order.country", order.country)
    invoice = build_invoice(order, number)
    today = date.today()
    return save_pdf(f"{today:%Y}/{today:%m}/{number}.pdf", render_pdf(invoice))
`);

const repo: RepoSpec = {
  name: REPO,
  projects: [INVOICING.slug],
  commits: [
    {
      ...MATEO,
      message: "invoicing: build invoices from orders in an RQ worker",
      date: daysAgo(91),
      files: {
        "requirements.txt": requirementsV0,
        "worker.py": worker,
        "app/__init__.py": appInit,
        "app/orders.py": ordersV0,
        "app/storage.py": storage,
        "app/jobs.py": jobsV0,
        "app/invoices/__init__.py": "",
        "app/invoices/builder.py": builderV0,
        "app/tax/__init__.py": "",
        "app/tax/tables.py": tablesV0,
        "app/tax/rates.py": ratesV0,
      },
    },
    {
      ...MATEO,
      message: "invoices: render PDFs with weasyprint (#118)",
      date: daysAgo(41),
      files: { "requirements.txt": requirementsV1, "app/invoices/render.py": render, "app/jobs.py": jobsV1 },
    },
    {
      ...INGRID,
      message:
        "invoices: rename vat_class to tax_class, quantity first in line descriptions (#127)\n\nMatches the orders API field name; 'vat' was misleading for non-EU shipments.",
      date: daysAgo(12),
      files: { "app/orders.py": ordersV2, "app/invoices/builder.py": builderV2 },
    },
    {
      ...AMELIE,
      message:
        "tax: super-reduced VAT rates for FR, ES and IT (#131)\n\nBooks and basic food are taxed at 5.5% (FR) and 4% (ES, IT).",
      date: daysAgo(3.2),
      files: { "app/tax/tables.py": tablesV3, "app/tax/rates.py": ratesV3 },
    },
    {
      ...MATEO,
      message: "jobs: store invoice PDFs under year/month prefixes (#133)",
      date: daysAgo(2.9),
      files: { "app/jobs.py": jobsV4 },
    },
  ],
};

// ---- Sentry ----------------------------------------------------------------------------------------------

const REL = release({
  version: "invoicing@2.6.0",
  id: 52_200_260,
  project: INVOICING,
  repo,
  repoId: "161",
  commits: [3, 4],
  createdMs: ago(2 * DAY + 20 * HOUR),
  newGroups: 1,
  lastEventMs: ago(16 * MIN),
});

const ISSUE = "7410131";
const SHORT = "INVOICING-5B";
const EVENTS = [
  {
    id: hexId("s11:event:1"),
    ms: ago(2 * DAY + 18 * HOUR),
    order: "ord_Fr81zQ",
    country: "FR",
    item: "OrderLine(title='Le Petit Prince (poche)', quantity=1, unit_price=Decimal('7.90'), tax_class='reduced')",
    rates: { standard: "Decimal('0.20')", zero: "Decimal('0')", super_reduced: "Decimal('0.055')" },
  },
  {
    id: hexId("s11:event:2"),
    ms: ago(16 * MIN),
    order: "ord_It44mV",
    country: "IT",
    item: "OrderLine(title='Pasta di Gragnano 1kg', quantity=3, unit_price=Decimal('4.20'), tax_class='reduced')",
    rates: { standard: "Decimal('0.22')", zero: "Decimal('0')", super_reduced: "Decimal('0.04')" },
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
const app = (src: string, path: string, fn: string, at: string, vars: Json) =>
  sourceFrame({
    src,
    at,
    fn,
    filename: path,
    absPath: `/srv/invoicing/${path}`,
    module: path.replace(/\.py$/, "").replace(/\//g, "."),
    vars,
  });

function invoiceEvent(e: (typeof EVENTS)[number]): Json {
  const number = `INV-2026-${e.order.slice(-4).toUpperCase()}`;
  return errorEvent({
    id: e.id,
    issueId: ISSUE,
    project: INVOICING,
    platform: "python",
    title: "KeyError: 'reduced'",
    culprit: "app.invoices.builder in build_invoice",
    location: "app/invoices/builder.py",
    dateMs: e.ms,
    entries: [
      exceptionEntry([
        exceptionValue({
          type: "KeyError",
          value: "'reduced'",
          mechanism: { type: "rq", handled: false },
          frames: [
            site("rq/worker.py", "perform_job", 1431),
            site("rq/job.py", "perform", 1280),
            site("rq/job.py", "_execute", 1317),
            app(jobsV4, "app/jobs.py", "generate_invoice", "invoice = build_invoice(order, number)", {
              order_id: `'${e.order}'`,
              number: `'${number}'`,
            }),
            app(builderV2, "app/invoices/builder.py", "build_invoice", "rate = rates[line.tax_class]", {
              order: `Order(id='${e.order}', country='${e.country}', lines=[...])`,
              number: `'${number}'`,
              rates: e.rates,
              lines: "[]",
              line: e.item,
              net: "Decimal('12.60')",
            }),
          ],
        }),
      ]),
      breadcrumbsEntry([
        breadcrumb(
          e.ms - 120,
          "default",
          "rq.worker",
          `invoices: app.jobs.generate_invoice('${e.order}', '${number}')`,
        ),
        breadcrumb(e.ms - 64, "http", "httplib", null, {
          method: "GET",
          url: `http://orders-api.internal/v1/orders/${e.order}`,
          status_code: 200,
          reason: "OK",
        }),
      ]),
    ],
    tags: {
      environment: "production",
      handled: "no",
      level: "error",
      mechanism: "rq",
      "order.country": e.country,
      release: REL.version,
      "runtime.name": "CPython",
      server_name: "invoicing-worker-74f9c6d8b-qq7pl",
      transaction: "app.jobs.generate_invoice",
    },
    contexts: {
      trace: {
        trace_id: hexId(`s11:trace:${e.id}`),
        span_id: hexId(`s11:span:${e.id}`, 16),
        op: "queue.task.rq",
        status: "internal_error",
        origin: "auto.queue.rq",
        sampled: true,
        type: "trace",
      },
      runtime: { name: "CPython", version: "3.12.7", type: "runtime" },
    },
    extra: {
      "rq-job": {
        job_id: hexId(`s11:job:${e.id}`, 36),
        func: "app.jobs.generate_invoice",
        args: [e.order, number],
        kwargs: {},
        description: `app.jobs.generate_invoice('${e.order}', '${number}')`,
      },
    },
    sdk: { name: "sentry.python.rq", version: "2.19.2" },
    release: eventRelease(REL),
    metadata: {
      type: "KeyError",
      value: "'reduced'",
      filename: "app/invoices/builder.py",
      function: "build_invoice",
    },
  });
}

const first = 2 * DAY + 18 * HOUR;
const tags = [
  tagDistribution("environment", [["production", 167, first, 16 * MIN]]),
  tagDistribution("release", [[REL.version, 167, first, 16 * MIN]]),
  tagDistribution("order.country", [
    ["FR", 88, first, 50 * MIN],
    ["IT", 46, first - HOUR, 16 * MIN],
    ["ES", 33, first - 2 * HOUR, 3 * HOUR],
  ]),
  tagDistribution("transaction", [["app.jobs.generate_invoice", 167, first, 16 * MIN]]),
];

const blamed = sentryCommit(repo, 2, "161");

export const s11: CorpusScenario = {
  name: "s11-culprit-outside-stack",
  story:
    "INVOICING-5B: invoice jobs fail with KeyError: 'reduced' at `rate = rates[line.tax_class]` in " +
    "build_invoice (app/invoices/builder.py). Only orders shipped to FR, IT and ES fail, and only those with " +
    "books or food (tax_class 'reduced'); DE/AT/NL invoices are fine. The frame's locals show the rates dict " +
    "holds standard, zero and super_reduced but no reduced. The dict comes from load_tax_rates (app/tax/rates.py), " +
    "called at the top of build_invoice, so it has already returned and is not in the stack. invoicing@2.6.0 " +
    "shipped #131 ('super-reduced VAT rates for FR, ES and IT'), which makes load_tax_rates add super_reduced " +
    "*instead of* reduced (if/elif) for exactly those three countries. Sentry's suspect commit is #127, found " +
    "by blaming the raising line; it only renamed vat_class to tax_class, twelve days earlier, in the previous " +
    "release. The fix is in load_tax_rates: always include reduced, and add super_reduced alongside it.",
  issue: SHORT,
  repos: [repo],
  expected: {
    verdict: "in_app",
    repo: REPO,
    file: "app/tax/rates.py",
    function: "load_tax_rates",
    introducedBy: { repo: REPO, commit: 3 },
  },
  sentry: {
    organization: organization(),
    projects: [projectJson(INVOICING, REL.version)],
    issues: [
      {
        issue: issueDetails({
          id: ISSUE,
          shortId: SHORT,
          project: INVOICING,
          title: "KeyError: 'reduced'",
          culprit: "app.invoices.builder in build_invoice",
          platform: "python",
          metadata: {
            type: "KeyError",
            value: "'reduced'",
            filename: "app/invoices/builder.py",
            function: "build_invoice",
            in_app_frame_mix: "mixed",
          },
          substatus: "ongoing",
          count: 167,
          userCount: 0,
          firstSeenMs: ago(first),
          lastSeenMs: EVENTS[1]!.ms,
          firstRelease: releaseStub(REL),
          lastRelease: releaseStub(REL),
          tagDistributions: tags,
        }),
        events: chainEvents(EVENTS.map(invoiceEvent)),
        tags,
      },
    ],
    logs: logRows(
      EVENTS.map((e) => ({
        project: INVOICING.slug,
        trace: hexId(`s11:trace:${e.id}`),
        ms: e.ms + 4,
        severity: "error" as const,
        message: `invoices: Job ${hexId(`s11:job:${e.id}`, 36)}: exception raised while executing (app.jobs.generate_invoice)`,
        attrs: { "logger.name": "rq.worker" },
      })),
    ),
    ...releasesOf([REL]),
    committers: Object.fromEntries(
      EVENTS.map((e) => [e.id, committersPayload(blamed, "via SCM integration")] as const),
    ),
  },
};
