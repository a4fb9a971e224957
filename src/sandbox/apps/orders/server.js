'use strict';
// orders: lists and shows orders, asking inventory for stock. Instrumented with the OpenTelemetry JS SDK.
require('../node-common/tracing');
const { serve, send, inSpan } = require('../node-common/serve');
const { getJson } = require('../node-common/http-client');

const INVENTORY_URL = process.env.INVENTORY_URL || 'http://127.0.0.1:8081';

const ORDERS = [
  { id: '1001', sku: 'kt-mug', quantity: 2, customer: 'ada' },
  { id: '1002', sku: 'kt-shirt', quantity: 1, customer: 'grace' },
  { id: '1003', sku: 'kt-sticker', quantity: 10, customer: 'linus' },
];

async function fetchStock(req, skus) {
  // The request id travels on, so inventory's log line joins the same request.
  const headers = req.headers['x-request-id'] ? { 'x-request-id': req.headers['x-request-id'] } : {};
  const body = await getJson(`${INVENTORY_URL}/inventory/stock?sku=${encodeURIComponent(skus.join(','))}`, { headers });
  return body.stock;
}

async function listOrders(req, res) {
  const orders = await inSpan('orders.list', async (span) => {
    const stock = await fetchStock(
      req,
      ORDERS.map((o) => o.sku),
    );
    span.setAttribute('orders.count', ORDERS.length);
    return ORDERS.map((o) => ({ ...o, inStock: (stock[o.sku] ?? 0) >= o.quantity }));
  });
  send(res, 200, { orders });
}

async function getOrder(req, res, params) {
  const order = await inSpan('orders.get', async (span) => {
    span.setAttribute('orders.id', params.id);
    const found = ORDERS.find((o) => o.id === params.id);
    if (!found) return undefined;
    const stock = await fetchStock(req, [found.sku]);
    return { ...found, inStock: (stock[found.sku] ?? 0) >= found.quantity };
  });
  if (!order) return send(res, 404, { error: `no order ${params.id}` });
  send(res, 200, order);
}

function chargeCard(order) {
  // Always fails, so the error path is there to trace and stays deterministic.
  throw new Error(`payment declined for order ${order.id}`);
}

async function failOrder(req, res) {
  await inSpan('orders.fail', async () => {
    chargeCard(ORDERS[0]);
  });
}

serve([
  { method: 'GET', pattern: /^\/healthz$/, route: '/healthz', handler: (req, res) => send(res, 200, { ok: true }) },
  { method: 'GET', pattern: /^\/orders\/?$/, route: '/orders', handler: listOrders },
  { method: 'GET', pattern: /^\/orders\/fail$/, route: '/orders/fail', handler: failOrder },
  { method: 'GET', pattern: /^\/orders\/(?<id>[^/]+)$/, route: '/orders/:id', handler: getOrder },
]);
