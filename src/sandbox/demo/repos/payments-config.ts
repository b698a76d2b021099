/** acme/payments at HEAD: pyproject, README, AGENTS.md and the one test file. */

export const PYPROJECT = `[project]
name = "acme-payments"
version = "1.9.3"
requires-python = ">=3.12"
dependencies = [
  "flask>=3.0.3",
  "gunicorn>=23.0",
  "httpx>=0.27",
  "psycopg[binary]>=3.2",
  "sentry-sdk[flask]>=2.29.1",
]

[project.optional-dependencies]
dev = ["pytest>=8.3", "ruff>=0.7"]

[tool.ruff]
line-length = 110

[tool.pytest.ini_options]
testpaths = ["tests"]
`;

export const TEST = `import pytest

from app.charges import build_charge
from app.errors import ChargeError
from app.models import Order

ORDER = Order(id="ord_1", total_cents=4999, currency="EUR", customer_id="cus_1")


def test_build_charge_takes_amount_and_currency_from_the_payload():
    charge = build_charge(ORDER, {"amount_cents": 4499, "currency": "eur", "customer_id": "cus_1"})
    assert (charge.amount, charge.currency) == (4499, "EUR")


def test_build_charge_refuses_non_positive_amounts():
    with pytest.raises(ChargeError):
        build_charge(ORDER, {"amount_cents": 0, "currency": "EUR", "customer_id": "cus_1"})
`;

export const README = `# payments

Charges and FX rates for Acme Shop: Python 3.12, Flask, Postgres (psycopg 3), behind
\`http://payments.internal\`. Errors and traces go to Sentry (project \`payments\`).

| Method | Path | What |
| --- | --- | --- |
| POST | \`/v1/charges\` | Charge an order (\`order_id\`, \`amount_cents\`, \`currency\`, \`customer_id\`, \`idempotency_key\`) |
| GET | \`/v1/charges/<id>\` | One charge |
| POST | \`/v1/charges/<id>/refunds\` | Refund all or part of a charge |
| GET | \`/v1/rates?currency=…\` | Today's FX rates from EUR |

\`\`\`sh
python -m venv .venv && . .venv/bin/activate
pip install -e '.[dev]'
flask --app app:create_app run --port 8081
pytest
\`\`\`
`;

export const AGENTS_MD = `# payments: notes for coding agents

Python 3.12, Flask 3, psycopg 3, httpx. Sentry project: \`payments\`.

- Setup: \`pip install -e '.[dev]'\`. Check: \`ruff check . && pytest\` before every commit.
- \`app/api.py\` holds the HTTP handlers only; logic lives in \`app/charges.py\`, \`app/rates.py\`.
- Money is integer minor units (\`amount_cents\`) end to end. Never use floats for amounts.
- Request payloads come from other services and may lack optional fields: read them with \`.get()\`
  and a fallback from the order where one exists; a missing required field is a 400, not a 500.
- Every call to the gateway that creates something passes an idempotency key.
- Bug fixes come with a test in \`tests/\` that fails without the fix.
`;
