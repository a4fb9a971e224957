'use strict';
// GET a JSON document over node:http (instrumented: a client span and an outgoing traceparent).
const http = require('node:http');

function getJson(url, { timeoutMs = 5000, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => {
        if (res.statusCode !== 200)
          return reject(Object.assign(new Error(`${url} answered ${res.statusCode}`), { status: 502 }));
        try {
          resolve(JSON.parse(body));
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${url} timed out`)));
    req.on('error', (e) => reject(Object.assign(e, { status: 502 })));
  });
}

module.exports = { getJson };
