import { DAY, HOUR, MIN } from "../common.ts";
import { type CommitSpec, edit, PEOPLE, type RepoSpec } from "./git.ts";
import * as cfg from "./payments-config.ts";
import * as f from "./payments-files.ts";

/**
 * acme/payments' history. "charges: take amount and currency from the checkout payload (#88)" lands the
 * day before payments@1.9.3 ships (~12 days ago) and makes build_charge read `payload["currency"]`, which
 * orders-api never sends: PAYMENTS-1C (KeyError: 'currency') starts a few hours after the deploy.
 */

const chargesInitial = edit(f.CHARGES, [
  ['    amount = payload.get("amount_cents", order.total_cents)\n', "    amount = order.total_cents\n"],
  ['    currency = payload["currency"].upper()\n', "    currency = order.currency.upper()\n"],
]);

const TEST_INITIAL = `import pytest

from app.charges import build_charge
from app.errors import ChargeError
from app.models import Order

ORDER = Order(id="ord_1", total_cents=4999, currency="EUR", customer_id="cus_1")


def test_build_charge_charges_the_order_total():
    charge = build_charge(ORDER, {"customer_id": "cus_1"})
    assert (charge.amount, charge.currency) == (4999, "EUR")


def test_build_charge_refuses_non_positive_amounts():
    with pytest.raises(ChargeError):
        build_charge(Order(id="ord_2", total_cents=0, currency="EUR", customer_id="cus_1"), {"customer_id": "cus_1"})
`;

const ratesInitial = edit(f.RATES, [
  ["import time\n", ""],
  ["_TTL_SECONDS = 3600\n_cache: dict[tuple[str, dt.date], tuple[float, dict[str, float]]] = {}\n\n\n", "\n"],
  [
    "    cached = _cache.get((base, day))\n    if cached and time.monotonic() - cached[0] < _TTL_SECONDS:\n        return cached[1]\n",
    "",
  ],
  [
    "    rates = {currency: float(rate) for currency, rate in rows}\n    _cache[(base, day)] = (time.monotonic(), rates)\n    return rates\n",
    "    return {currency: float(rate) for currency, rate in rows}\n",
  ],
]);

const pyprojectInitial = edit(cfg.PYPROJECT, [
  ['"sentry-sdk[flask]>=2.29.1"', '"sentry-sdk[flask]>=2.28.0"'],
]);
const readmeInitial = edit(cfg.README, [
  [
    "(`order_id`, `amount_cents`, `currency`, `customer_id`, `idempotency_key`)",
    "(`order_id`, `customer_id`, `idempotency_key`)",
  ],
]);

function commits(): CommitSpec[] {
  return [
    {
      ago: 41 * DAY + 6 * HOUR + 3 * MIN,
      author: PEOPLE.marco,
      message: "payments: Flask service for charges, refunds and daily FX rates",
      files: {
        "pyproject.toml": pyprojectInitial,
        "README.md": readmeInitial,
        "app/__init__.py": f.INIT,
        "app/api.py": f.API,
        "app/charges.py": chargesInitial,
        "app/errors.py": f.ERRORS,
        "app/gateway.py": f.GATEWAY,
        "app/models.py": f.MODELS,
        "app/rates.py": ratesInitial,
        "tests/test_charges.py": TEST_INITIAL,
      },
    },
    {
      ago: 27 * DAY + 3 * HOUR + 48 * MIN,
      author: PEOPLE.anja,
      message:
        "rates: cache daily FX rates in-process for an hour (#81)\n\norders-api asks for rates on every order; one query per worker and hour is plenty.",
      files: { "app/rates.py": f.RATES },
    },
    {
      ago: 19 * DAY + 8 * HOUR + 20 * MIN,
      author: PEOPLE.marco,
      message: "docs: AGENTS.md with the service's conventions (#84)",
      files: { "AGENTS.md": cfg.AGENTS_MD },
    },
    {
      ago: 13 * DAY + 2 * HOUR + 14 * MIN,
      author: PEOPLE.anja,
      message:
        "charges: take amount and currency from the checkout payload (#88)\n\norders-api now sends the amount the customer agreed to pay, after coupons, which can differ from\nthe stored order total. Read amount_cents and currency from the payload; amount falls back to the order.",
      files: { "app/charges.py": f.CHARGES, "tests/test_charges.py": cfg.TEST, "README.md": cfg.README },
    },
    {
      ago: 12 * DAY + 5 * HOUR + 30 * MIN,
      author: PEOPLE.dependabot,
      message:
        "deps: bump sentry-sdk[flask] from 2.28.0 to 2.29.1 (#89)\n\nBumps [sentry-sdk](https://github.com/getsentry/sentry-python) from 2.28.0 to 2.29.1.\n\nSigned-off-by: dependabot[bot] <support@github.com>",
      files: { "pyproject.toml": cfg.PYPROJECT },
    },
  ];
}

export function paymentsRepo(): RepoSpec {
  return { name: "acme/payments", dir: "payments", projects: ["payments"], commits: commits() };
}
