'use strict';

// node map.js --corpus FILE [--n N] [--repeats 3] [--warmup 5000] [--out FILE]
// Times JSON.parse + facade + Acme mapper + JSON.stringify over the corpus; one JSON line.

var fs = require('fs');
var common = require('./common');
var mapper = require('./acme_mapper');

var opts = common.args(process.argv.slice(2));
var lines = common.readCorpus(opts.corpus, Number(opts.n) || 0);
var settings = { apiKey: 'bench-api-key' };

function pass(collect) {
  var chars = 0;
  for (var i = 0; i < lines.length; i++) {
    var obj = JSON.parse(lines[i]);
    var msg = common.wrap(obj);
    var text = msg ? JSON.stringify(mapper[obj.type](msg, settings)) : '';
    chars += text.length;
    if (collect) collect.push(text);
  }
  return chars;
}

if (opts.out) {
  var out = [];
  pass(out);
  fs.writeFileSync(opts.out, out.join('\n') + '\n');
}
var warm = Number(opts.warmup || 5000);
for (var w = 0; w < warm; w += lines.length) pass();
var runs = [];
for (var r = 0; r < Number(opts.repeats || 3); r++) {
  var started = process.hrtime.bigint();
  pass();
  runs.push(Number(process.hrtime.bigint() - started) / 1e9);
}
runs.sort(function (a, b) { return a - b; });
var seconds = runs[Math.floor(runs.length / 2)];
common.emit({ peer: 'node', bench: 'map', n: lines.length, seconds: seconds,
  msgs_per_s: Math.round(lines.length / seconds), node: process.version });
