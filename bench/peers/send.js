'use strict';

// node send.js --corpus FILE --url http://127.0.0.1:PORT [--n N] [--outstanding 16]
// The Acme integration on segmentio-integration 5.1 (superagent, keep-alive agent) posting
// every message of the corpus to a sink with at most --outstanding requests in flight.
// One JSON line: wall time, msgs/s and the client's CPU per message.

var http = require('http');
var integration = require('segmentio-integration');
var common = require('./common');
var mapper = require('./acme_mapper');

var opts = common.args(process.argv.slice(2));
var outstanding = Number(opts.outstanding || 16);
var lines = common.readCorpus(opts.corpus, Number(opts.n) || 0);

var Acme = integration('Acme')
  .endpoint(opts.url)
  .channels(['server'])
  .mapper(mapper)
  .agent(new http.Agent({ keepAlive: true, maxSockets: outstanding }));

// the paths and auth of bench/acme_integration.py
var PATHS = { track: '/v1/track', page: '/v1/track', screen: '/v1/track',
  identify: '/v1/engage', group: '/v1/groups', alias: '/v1/alias' };

Object.keys(PATHS).forEach(function (method) {
  Acme.prototype[method] = function (payload, fn) {
    return this.post(PATHS[payload.type])
      .auth(this.settings.apiKey, '')
      .type('json')
      .send(payload)
      .end(fn);
  };
});

var acme = new Acme({ apiKey: 'bench-api-key' });
var next = 0;
var done = 0;
var failed = 0;
var cpu = process.cpuUsage();
var started = process.hrtime.bigint();

function finish() {
  var seconds = Number(process.hrtime.bigint() - started) / 1e9;
  var used = process.cpuUsage(cpu);
  common.emit({ peer: 'node', bench: 'send', n: lines.length, seconds: seconds,
    msgs_per_s: Math.round(lines.length / seconds), concurrency: outstanding,
    cpu_us_per_msg: Math.round((used.user + used.system) / lines.length),
    failed: failed, node: process.version });
  process.exit(failed ? 1 : 0);
}

function start() {
  if (next >= lines.length) return;
  var obj = JSON.parse(lines[next++]);
  var msg = common.wrap(obj);
  acme[obj.type](msg, function (err) {
    if (err) failed++;
    if (++done === lines.length) return finish();
    start();
  });
}

for (var i = 0; i < outstanding; i++) start();
