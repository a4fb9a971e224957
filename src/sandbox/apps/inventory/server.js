'use strict';
// inventory: stock levels per SKU. Instrumented with the OpenTelemetry JS SDK; orders calls it.
require('../node-common/tracing');
const { serve, send, inSpan } = require('../node-common/serve');

const STOCK = { 'kt-mug': 42, 'kt-shirt': 0, 'kt-sticker': 1000 };

async function lookupStock(req, res, params, url) {
  const skus = (url.searchParams.get('sku') || '').split(',').filter(Boolean);
  const stock = await inSpan('inventory.lookup', async (span) => {
    span.setAttribute('inventory.skus', skus);
    const out = {};
    for (const sku of skus.length ? skus : Object.keys(STOCK)) out[sku] = STOCK[sku] ?? 0;
    return out;
  });
  send(res, 200, { stock });
}

serve([
  { method: 'GET', pattern: /^\/healthz$/, route: '/healthz', handler: (req, res) => send(res, 200, { ok: true }) },
  { method: 'GET', pattern: /^\/inventory\/stock$/, route: '/inventory/stock', handler: lookupStock },
]);
