/**
 * acme/payments at HEAD. PAYMENTS-1C's frames: `app/api.py` create_charge (40–52, build_charge called on
 * 45, ChargeError raised on 47) and `app/charges.py` build_charge (18–28, the KeyError on 23).
 */

export const API = `"""HTTP endpoints of the payments service. Internal: only orders-api and the back office call it."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from app.charges import build_charge, refund_amount
from app.errors import ChargeError
from app.gateway import gateway
from app.models import orders
from app.rates import daily_rates

bp = Blueprint("api", __name__)


@bp.get("/healthz")
def healthz():
    orders.ping()
    return {"ok": True}


@bp.get("/v1/rates")
def get_rates():
    """Today's rates from EUR. \`currency\` names the one the caller needs; it must be known."""
    wanted = request.args.get("currency", "EUR").upper()
    rates = daily_rates("EUR")
    if wanted != "EUR" and wanted not in rates:
        return jsonify({"error": f"no rate for {wanted}"}), 404
    return jsonify({"base": "EUR", "rates": rates})


@bp.get("/v1/charges/<charge_id>")
def get_charge(charge_id: str):
    charge = gateway.retrieve(charge_id)
    if charge is None:
        return jsonify({"error": "charge not found"}), 404
    return jsonify(charge.to_dict())


@bp.post("/v1/charges")
def create_charge():
    payload = request.get_json(force=True)
    order = orders.get(payload["order_id"])
    try:
        charge = build_charge(order, payload)
    except KeyError as exc:
        raise ChargeError(f"could not build charge for order {order.id}") from exc

    result = gateway.create(charge, idempotency_key=payload["idempotency_key"])
    return jsonify(result.to_dict()), 201


@bp.post("/v1/charges/<charge_id>/refunds")
def refund_charge(charge_id: str):
    payload = request.get_json(force=True)
    charge = gateway.retrieve(charge_id)
    if charge is None:
        return jsonify({"error": "charge not found"}), 404
    refund = gateway.refund(charge, amount=refund_amount(charge, payload.get("amount_cents")))
    return jsonify(refund), 201
`;

export const CHARGES = `"""Turning checkout payloads into gateway charges. Amounts are integer minor units (cents)."""

from __future__ import annotations

import logging

import sentry_sdk

from app.errors import ChargeError
from app.gateway import Charge
from app.models import Order

__all__ = ["build_charge", "refund_amount"]
log = logging.getLogger(__name__)


@sentry_sdk.trace
def build_charge(order: Order, payload: dict) -> Charge:
    """Turn a checkout payload into a gateway charge (amounts in minor units)."""
    amount = payload.get("amount_cents", order.total_cents)
    if amount <= 0:
        raise ChargeError(f"refusing to charge {amount} for order {order.id}")
    currency = payload["currency"].upper()
    return Charge(
        amount=amount,
        currency=currency,
        customer=payload["customer_id"],
        metadata={"order_id": order.id},
    )


def refund_amount(charge: Charge, requested: int | None) -> int:
    """What to refund: the requested amount, capped at what was charged (everything if None)."""
    amount = charge.amount if requested is None else min(requested, charge.amount)
    if amount <= 0:
        raise ChargeError(f"refusing to refund {amount} on {charge.id}")
    log.info("refunding %s of %s minor units on %s", amount, charge.amount, charge.id)
    return amount
`;

export const ERRORS = `"""Errors of the payments service."""


class ChargeError(Exception):
    """A charge could not be built or was refused; the order stays unpaid."""
`;

export const MODELS = `"""Orders as the payments service reads them (the orders database, read-only)."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from flask import current_app, g


def connection() -> psycopg.Connection:
    if "db" not in g:
        g.db = psycopg.connect(current_app.config["DATABASE_URL"], autocommit=True)
    return g.db


def close_connection(_exc: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


@dataclass(frozen=True)
class Order:
    id: str
    total_cents: int
    currency: str
    customer_id: str

    def __repr__(self) -> str:
        return f"<Order {self.id} {self.currency} {self.total_cents / 100:.2f}>"


class Orders:
    def get(self, order_id: str) -> Order:
        row = connection().execute(
            "SELECT id, total_cents, currency, customer_id FROM orders WHERE id = %s", (order_id,)
        ).fetchone()
        if row is None:
            raise LookupError(f"no order {order_id}")
        return Order(*row)

    def ping(self) -> None:
        connection().execute("SELECT 1")


orders = Orders()
`;

export const RATES = `"""Daily FX rates, as the treasury job writes them to fx_rates every morning."""

from __future__ import annotations

import datetime as dt
import time

from app.models import connection

_TTL_SECONDS = 3600
_cache: dict[tuple[str, dt.date], tuple[float, dict[str, float]]] = {}


def daily_rates(base: str) -> dict[str, float]:
    day = dt.datetime.now(dt.UTC).date()
    cached = _cache.get((base, day))
    if cached and time.monotonic() - cached[0] < _TTL_SECONDS:
        return cached[1]
    rows = connection().execute(
        "SELECT currency, rate FROM fx_rates WHERE base = %s AND day = %s", (base, day)
    ).fetchall()
    rates = {currency: float(rate) for currency, rate in rows}
    _cache[(base, day)] = (time.monotonic(), rates)
    return rates
`;

export const GATEWAY = `"""A thin client for the card gateway's HTTP API."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field

import httpx


@dataclass(frozen=True)
class Charge:
    amount: int
    currency: str
    customer: str
    metadata: dict[str, str] = field(default_factory=dict)
    id: str | None = None
    status: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


class Gateway:
    def __init__(self) -> None:
        self._http = httpx.Client(
            base_url=os.environ.get("GATEWAY_URL", "https://api.gateway.example"),
            headers={"Authorization": f"Bearer {os.environ.get('GATEWAY_KEY', '')}"},
            timeout=10,
        )

    def create(self, charge: Charge, idempotency_key: str) -> Charge:
        res = self._http.post("/charges", json=asdict(charge), headers={"Idempotency-Key": idempotency_key})
        res.raise_for_status()
        return Charge(**res.json())

    def retrieve(self, charge_id: str) -> Charge | None:
        res = self._http.get(f"/charges/{charge_id}")
        if res.status_code == 404:
            return None
        res.raise_for_status()
        return Charge(**res.json())

    def refund(self, charge: Charge, amount: int) -> dict:
        res = self._http.post(f"/charges/{charge.id}/refunds", json={"amount": amount})
        res.raise_for_status()
        return res.json()


gateway = Gateway()
`;

export const INIT = `"""The payments service: charges against the card gateway, and daily FX rates."""

from __future__ import annotations

import os

import sentry_sdk
from flask import Flask

from app.models import close_connection


def create_app() -> Flask:
    sentry_sdk.init(
        dsn=os.environ.get("SENTRY_DSN"),
        release=os.environ.get("RELEASE"),
        environment=os.environ.get("APP_ENV", "development"),
        traces_sample_rate=1.0,
    )
    app = Flask(__name__)
    app.config["DATABASE_URL"] = os.environ.get("DATABASE_URL", "postgresql://localhost/orders")

    from app.api import bp

    app.register_blueprint(bp)
    app.teardown_appcontext(close_connection)
    return app
`;
