'use strict';

// node send.js --corpus FILE --url http://127.0.0.1:PORT [--n N] [--outstanding 16]
//              [--warmup 0] [--passes 1] [--agent keepalive|global]
// The Acme integration on segmentio-integration 5.1 (superagent 2.x) posting the messages of
// the corpus to a sink with at most --outstanding requests in flight. The corpus is parsed
// before the clock starts (as bench/wire_client.py does for ours); --warmup messages are
// delivered first, untimed, so that V8 has compiled the hot paths, as in a long-running
// integration worker; then --passes timed passes of --n messages each, one JSON line per
// pass: wall time, msgs/s, the process's CPU per message (process.cpuUsage: user + system of
// every thread, like getrusage(RUSAGE_SELF) on our side) and the TCP connections opened.
//
// --agent keepalive (default): the integration's .agent() with a keep-alive http.Agent, what
// a production integration would configure. --agent global: nothing configured, so
// segmentio-integration hands superagent http.globalAgent (keep-alive by default since
// Node 19; before that, one new connection per request).

var http = require('http');
var integration = require('segmentio-integration');
var common = require('./common');
var mapper = require('./acme_mapper');

var opts = common.args(process.argv.slice(2));
var outstanding = Number(opts.outstanding || 16);
var warmup = Number(opts.warmup || 0);
var passes = Number(opts.passes || 1);
var agentKind = opts.agent || 'keepalive';
if (agentKind !== 'keepalive' && agentKind !== 'global') {
  process.stderr.write('send.js: --agent must be keepalive or global, got ' + agentKind + '\n');
  process.exit(2);
}

// the paths and auth of bench/acme_integration.py
var PATHS = { track: '/v1/track', page: '/v1/track', screen: '/v1/track',
  identify: '/v1/engage', group: '/v1/groups', alias: '/v1/alias' };

var objs = common.readCorpus(opts.corpus, 0)
  .map(function (line) { return JSON.parse(line); })
  .filter(function (obj) { return PATHS.hasOwnProperty(obj.type); });
var n = Math.min(Number(opts.n) || objs.length, objs.length);
objs = objs.slice(0, n);

var Acme = integration('Acme')
  .endpoint(opts.url)
  .channels(['server'])
  .mapper(mapper);
var agent = http.globalAgent;
if (agentKind === 'keepalive') {
  // no maxSockets: the harness caps the requests in flight; a cap of exactly --outstanding
  // would send every new request through the agent's pending queue (the finished request's
  // socket is freed only after its callback has started the next one), which costs Node
  // measurably more CPU per message before V8 is warm
  agent = new http.Agent({ keepAlive: true });
  Acme.agent(agent);
}

// count the TCP connections the agent opens (a new one per request would show here)
var connections = 0;
var createConnection = agent.createConnection;
agent.createConnection = function () {
  connections++;
  return createConnection.apply(this, arguments);
};

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

// Deliver `count` messages (cycling through the corpus), at most `outstanding` in flight;
// calls back with how many failed.
function deliver(count, callback) {
  var next = 0;
  var settled = 0;
  var failed = 0;
  if (!count) return callback(0);
  function start() {
    if (next >= count) return;
    var obj = objs[next++ % objs.length];
    acme[obj.type](common.wrap(obj), function (err) {
      if (err) failed++;
      if (++settled === count) return callback(failed);
      start();
    });
  }
  for (var i = 0; i < Math.min(outstanding, count); i++) start();
}

var anyFailed = false;

function timedPass(remaining) {
  if (!remaining) return process.exit(anyFailed ? 1 : 0);
  var opened = connections;
  var cpu = process.cpuUsage();
  var started = process.hrtime.bigint();
  deliver(n, function (failed) {
    var seconds = Number(process.hrtime.bigint() - started) / 1e9;
    var used = process.cpuUsage(cpu);
    anyFailed = anyFailed || failed > 0;
    common.emit({ peer: 'node', bench: 'send', n: n, seconds: seconds,
      msgs_per_s: Math.round(n / seconds), concurrency: outstanding,
      cpu_us_per_msg: Math.round((used.user + used.system) / n),
      failed: failed, connections: connections - opened, warmup: warmup, agent: agentKind,
      node: process.version });
    timedPass(remaining - 1);
  });
}

deliver(warmup, function (failed) {
  anyFailed = failed > 0;
  timedPass(passes);
});
