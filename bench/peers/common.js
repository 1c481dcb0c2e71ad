'use strict';

// What map.js and send.js share: reading the corpus and wrapping messages in facades.

var fs = require('fs');
var Facade = require('segmentio-facade');

var CLASSES = {
  track: Facade.Track, identify: Facade.Identify, page: Facade.Page,
  screen: Facade.Screen, group: Facade.Group, alias: Facade.Alias
};

exports.readCorpus = function (path, n) {
  var lines = fs.readFileSync(path, 'utf8').split('\n').filter(Boolean);
  return lines.slice(0, n || lines.length);
};

exports.wrap = function (obj) {
  var Class = CLASSES[obj.type];
  return Class ? new Class(obj) : null;
};

exports.args = function (argv) {
  var out = {};
  for (var i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
};

exports.emit = function (record) {
  process.stdout.write(JSON.stringify(record) + '\n');
};
