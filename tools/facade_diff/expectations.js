#!/usr/bin/env node
// Frozen expectations for our facade, computed by the JavaScript original.
//
//   TZ=UTC node expectations.js CORPUS.json OUT.json.gz
//
// CORPUS.json is {"cases": [{"id": ..., "message": {...}}, ...]} (written by corpus.py).
// For every message, every public accessor of @segment/facade 3.4.10 (the class chosen as
// our facade.create() chooses it) is called with no arguments, and the accessors that take
// arguments (options/context/enabled with integration names, proxy and field with paths,
// traits/properties with alias maps, Page#event/track with names) with a fixed set of
// arguments. Results are encoded as JSON (see encode()).
//
// Where our facade deliberately differs, PATCHES below change the JavaScript to match our
// documented behaviour (each one a HISTORY.md "Fixed" entry); the value the unpatched
// original gave is kept next to the expectation, with the patch's name, so the test can
// report every deliberate divergence and reviewers can read exactly what it is.
//
// The clock is frozen (FIXED_NOW) so that messages without a timestamp, and Identify#age,
// are deterministic; the Python test freezes its clock to the same instant.
"use strict";

const fs = require("fs");
const zlib = require("zlib");

const FIXED_NOW = Date.UTC(2026, 0, 15, 12, 0, 0, 0);
const RealDate = Date;
class FrozenDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(FIXED_NOW);
    else super(...args);
    if (flags.pythonRange && !isNaN(this.getTime())) {
      const year = this.getUTCFullYear();
      if (year < 1 || year > 9999) this.setTime(NaN);
    }
  }
  static now() { return FIXED_NOW; }
}
global.Date = FrozenDate;

const facadeModule = require("@segment/facade/dist/facade");
const lib = require("@segment/facade");
const pkg = require("@segment/facade/package.json");
const objCase = require("obj-case");

// -- the class our facade.create() picks -----------------------------------------------

function classFor(message) {
  const types = {
    identify: "Identify", track: "Track", page: "Page", screen: "Screen", group: "Group",
    alias: "Alias", delete: "Delete",
  };
  let kind = null;
  if (message && typeof message === "object" && !Array.isArray(message)) {
    kind = message.type || message.action;
  }
  if (typeof kind === "string") {
    return types[kind] || types[kind.toLowerCase()] || "Facade";
  }
  return "Facade";
}

function construct(name, message) {
  const cls = name === "Facade" ? facadeModule.Facade : lib[name];
  return new cls(message);
}

// -- probes ----------------------------------------------------------------------------

const INTEGRATION_NAMES = [
  "Segment", "segment", "Webhooks", "webhooks", "HubSpot", "hub_spot", "HUBSPOT", "Salesforce",
  "salesforce", "Customer.io", "customer-io", "Mixpanel", "Google Analytics",
  "google-analytics", "All", "all", "",
];

const PROXY_PATHS = [
  "userId", "user_id", "anonymousId", "anonymous_id", "groupId", "group_id", "previousId",
  "from", "to", "event", "type", "action", "messageId", "timestamp", "sentAt", "channel",
  "name", "category", "traits", "properties", "context", "options", "integrations",
  "context.ip", "options.ip", "Context.ip", "context.page.url", "context.page.referrer",
  "context.user_agent", "context.userAgent", "context.device.type", "context.library.name",
  "context.traits.email", "context.locale", "context.groupId", "traits.email",
  "traits.firstName", "traits.first_name", "traits.FIRST NAME", "traits.address.city",
  "traits.company.name", "traits.createdAt", "properties.revenue", "properties.Revenue",
  "properties.total", "properties.order_id", "properties.orderId", "properties.products",
  "properties.products.0.sku", "properties.products.1.price", "properties.url",
  "properties.name", "properties.category", "integrations.all", "integrations.Segment",
  "email", "revenue", "order_id", "orderId", "firstName", "first_name", "fullName",
  "nothing", "nothing.deeper",
];

const FIELD_NAMES = [
  "userId", "user_id", "anonymousId", "event", "timestamp", "properties", "traits", "context",
  "messageId", "type", "name", "category", "previousId", "groupId", "nothing",
];

const ALIAS_SETS = [
  {email: "$email", firstName: "$first_name", created: "createdAt"},
  {order_id: "orderId"},
  {user_id: "x"},
  {first_name: "fn", last_name: "ln"},
  {revenue: "rev", orderId: "oid", productId: "pid", total: "t"},
  {name: "$name", lastName: "ln", phone: "$phone", address: "addr"},
  {username: "u", avatar: "av", company: "co", userId: "uid"},
  {id: "ident", Email: "em", EMAIL_ADDRESS: "ea"},
  {email: "email", name: "name"},
  {foo: "bar", "traits.email": "te", "": "empty"},
  {product_id: "pid", sku: "SKU", price: "cost", quantity: "qty"},
  {createdAt: "created_at", created: "when", companyName: "cn"},
];

const PAGE_NAMES = ["Home", "", "Docs Home", 0, 5, true, null];

// Methods a probe never calls without arguments (they are probed with arguments below) or
// that are not accessors.
const SKIP = new Set(["constructor", "proxy", "field"]);

function accessorNames(instance) {
  const names = new Set();
  for (let proto = Object.getPrototypeOf(instance); proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (!SKIP.has(name) && typeof instance[name] === "function") names.add(name);
    }
  }
  return [...names].sort();
}

// A chain applied to a facade returned by a probe (Page#track, Track#identify).
const TRACK_CHAIN = [["json", []], ["event", []], ["properties", []], ["revenue", []],
  ["traits", []], ["email", []]];
const IDENTIFY_CHAIN = [["json", []], ["traits", []], ["email", []], ["name", []],
  ["uid", []], ["created", []]];

function probesFor(className) {
  const sample = construct(className, {type: "x"});
  const probes = [];
  for (const name of accessorNames(sample)) {
    let chain = null;
    if (name === "track") chain = TRACK_CHAIN;
    if (name === "identify") chain = IDENTIFY_CHAIN;
    probes.push([name, [], chain]);
  }
  for (const name of INTEGRATION_NAMES) {
    probes.push(["options", [name], null]);
    probes.push(["context", [name], null]);
    probes.push(["enabled", [name], null]);
  }
  for (const path of PROXY_PATHS) probes.push(["proxy", [path], null]);
  for (const name of FIELD_NAMES) probes.push(["field", [name], null]);
  if (sample.traits.length > 0) {
    for (const aliases of ALIAS_SETS) probes.push(["traits", [aliases], null]);
  }
  if (sample.properties && sample.properties.length > 0) {
    for (const aliases of ALIAS_SETS) probes.push(["properties", [aliases], null]);
  }
  if (className === "Page" || className === "Screen") {
    for (const name of PAGE_NAMES) {
      probes.push(["event", [name], null]);
      probes.push(["track", [name], TRACK_CHAIN]);
    }
  }
  return probes;
}

// -- encoding --------------------------------------------------------------------------
// JSON with tags: {"$date": iso|null} (null: Invalid Date), {"$num": "NaN"|"Infinity"|
// "-Infinity"}, {"$throws": message}, {"$facade": type, "chain": [...]}; an object with a
// key starting with "$" is wrapped as {"$obj": {...}}. undefined is null.

function encode(value, depth) {
  depth = depth || 0;
  if (depth > 50) return {"$deep": true};
  if (value === undefined || value === null) return null;
  if (value instanceof RealDate) {
    const t = value.getTime();
    return {"$date": isNaN(t) ? null : value.toISOString()};
  }
  if (typeof value === "number") {
    if (Number.isNaN(value)) return {"$num": "NaN"};
    if (!Number.isFinite(value)) return {"$num": value > 0 ? "Infinity" : "-Infinity"};
    return Object.is(value, -0) ? 0 : value;
  }
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "function") return {"$function": true};
  if (Array.isArray(value)) return value.map((v) => encode(v, depth + 1));
  if (typeof value === "object") {
    const out = {};
    let tagged = false;
    for (const key of Object.keys(value)) {
      if (key.startsWith("$")) tagged = true;
      out[key] = encode(value[key], depth + 1);
    }
    return tagged ? {"$obj": out} : out;
  }
  return {"$unknown": String(value)};
}

function runProbe(instance, probe) {
  const [method, args, chain] = probe;
  let result;
  try {
    result = instance[method](...args);
  } catch (err) {
    return {"$throws": String(err && err.message)};
  }
  if (chain && result && typeof result.json === "function") {
    return {"$facade": result.type(), "chain": chain.map((p) => runProbe(result, p))};
  }
  return encode(result);
}

// -- deliberate differences (each one is in HISTORY.md) ---------------------------------
// Each patch sets one flag; the wrappers installed below behave exactly as the original
// while their flag is off (the first pass, whose values are kept as "upstream").

const flags = {};
const cloneDeep = require("@segment/facade/dist/clone").clone;
const F = facadeModule.Facade.prototype;

function normalize(key) {
  return String(key).replace(/[^a-zA-Z0-9.]+/g, "").toLowerCase();
}

function normalizedKey(obj, name) {
  if (!obj || typeof obj !== "object" || typeof name !== "string") return undefined;
  if (Object.prototype.hasOwnProperty.call(obj, name)) return name;
  const wanted = normalize(name);
  return Object.keys(obj).find((k) => normalize(k) === wanted);
}

function isPlainObject(value) {
  return Object.prototype.toString.call(value) === "[object Object]";
}

function objectOr(value, fallback) {
  return value && isPlainObject(value) ? value : fallback;
}

function sanitized(obj) {
  // The message as our object accessors read it (the "object-accessors" patch).
  const out = Object.assign({}, obj);
  for (const key of ["traits", "properties", "integrations", "options", "context"]) {
    if (out[key] && !isPlainObject(out[key])) out[key] = {};
  }
  return out;
}

// traits(aliases) / properties(aliases): the original's loop over the method's own result
// without aliases; keepsKey: the original already keeps a 1:1 alias's key there.
function installAliases(proto, method, prefix, keepsKey) {
  const original = proto[method];
  proto[method] = function (aliases) {
    const ret = original.call(this);
    aliases = aliases || {};
    for (const alias in aliases) {
      if (Object.prototype.hasOwnProperty.call(aliases, alias)) {
        const value = this[alias] == null ? this.proxy(prefix + alias) : this[alias]();
        if (value == null) continue;
        if (flags.invalidDateAliasSkipped && value instanceof RealDate && isNaN(value)) continue;
        ret[aliases[alias]] = value;
        if (!(keepsKey || flags.aliasKeepsKey) || alias !== aliases[alias]) delete ret[alias];
      }
    }
    return ret;
  };
}

function install() {
  // Facade#traits without aliases, the context's traits read as an object when asked.
  const baseTraits = F.traits;
  F.traits = function () {
    if (!flags.objectAccessors) return baseTraits.call(this);
    const ret = objectOr(this.proxy("options.traits"), {});
    const id = this.userId();
    if (id) ret.id = id;
    return ret;
  };
  installAliases(F, "traits", "options.traits.", false);
  installAliases(lib.Identify.prototype, "traits", "traits.", true);
  installAliases(lib.Track.prototype, "properties", "properties.", false);
  installAliases(lib.Page.prototype, "properties", "properties.", true);
  installAliases(lib.Group.prototype, "traits", "traits.", false);

  const enabled = F.enabled;
  F.enabled = function (integration) {
    if (!flags.enabledInsensitive) return enabled.call(this, integration);
    let allEnabled = this.proxy("options.providers.all");
    if (typeof allEnabled !== "boolean") allEnabled = this.proxy("options.all");
    if (typeof allEnabled !== "boolean") allEnabled = this.proxy("integrations.all");
    if (typeof allEnabled !== "boolean") allEnabled = true;
    let result = allEnabled;
    if (typeof integration !== "string") return !!result;
    const options = this.integrations();
    if (Object.prototype.hasOwnProperty.call(options, "providers")) {
      const key = normalizedKey(options.providers, integration);
      if (key !== undefined) result = options.providers[key];
    }
    const key = normalizedKey(options, integration);
    if (key !== undefined) {
      const settings = options[key];
      result = typeof settings === "boolean" ? settings : true;
    }
    return !!result;
  };

  const proxy = F.proxy;
  F.proxy = function (field) {
    if (!flags.proxyMissingIsNull) return proxy.call(this, field);
    const fields = field.split(".");
    field = fields.shift();
    let obj = this[field] || this.obj[field];
    if (!obj) return obj;
    if (typeof obj === "function") {
      obj = obj.call(this);
      if (!obj) return fields.length === 0 ? obj : undefined;
    }
    if (fields.length === 0) return this.opts.clone ? cloneDeep(obj) : obj;
    obj = objCase(obj, fields.join("."));
    return this.opts.clone ? cloneDeep(obj) : obj;
  };

  const Original = facadeModule.Facade;
  const Constructor = function (obj, opts) {
    Original.call(this, obj, opts);
    if (flags.nullTimestampIsNow && obj && obj.timestamp === null) {
      this.obj.timestamp = new Date();
    }
  };
  Constructor.prototype = Original.prototype;
  Object.assign(Constructor, Original);
  facadeModule.Facade = Constructor;

  const integrations = F.integrations;
  F.integrations = function () {
    if (!flags.objectAccessors) return integrations.call(this);
    const own = this.obj.integrations;
    if (own) return objectOr(own, {});
    const providers = this.proxy("options.providers");
    if (providers) return objectOr(providers, {});
    return this.options();
  };
  const library = F.library;
  F.library = function () {
    const value = library.call(this);
    if (!flags.objectAccessors) return value;
    return objectOr(value, {name: "unknown", version: null});
  };
  // Every accessor reads top-level traits/properties/context/integrations as objects.
  const keep = new Set(["constructor", "json", "rawEvent", "field", "proxy", "track",
    "identify"]);
  for (const cls of [Original, lib.Identify, lib.Track, lib.Page, lib.Screen, lib.Group,
    lib.Alias, lib.Delete]) {
    const proto = cls.prototype;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const fn = proto[name];
      if (keep.has(name) || typeof fn !== "function") continue;
      proto[name] = function (...args) {
        if (!flags.objectAccessors) return fn.apply(this, args);
        const saved = this.obj;
        this.obj = sanitized(saved);
        try {
          return fn.apply(this, args);
        } finally {
          this.obj = saved;
        }
      };
    }
  }
}

const PATCHES = [
  {
    flag: "pythonRange", name: "python-date-range",
    description: "A date outside the years 1-9999 (which a Python datetime cannot hold) is " +
      "an invalid date, so accessors give None for it (the original gives a Date).",
  },
  {
    flag: "aliasKeepsKey", name: "alias-keeps-key",
    description: "traits({k: k}) / properties({k: k}): a 1:1 alias keeps its key (the " +
      "original deletes it in Facade#traits, Track#properties and Group#traits).",
  },
  {
    flag: "invalidDateAliasSkipped", name: "invalid-date-alias-skipped",
    description: "An alias whose source accessor gives an unparseable date (created: 'not a " +
      "date') is skipped, like a missing one; the original writes an Invalid Date.",
  },
  {
    flag: "enabledInsensitive", name: "enabled-names-insensitive",
    description: "enabled(name) matches integration names ignoring case and separators (as " +
      "options(name) already does), and Salesforce is not disabled by default.",
  },
  {
    flag: "proxyMissingIsNull", name: "proxy-missing-is-null",
    description: "proxy(path): an accessor's falsy result is returned as it is; the " +
      "original turns it into {} (so proxy('userId') of a message without one is {}).",
  },
  {
    flag: "nullTimestampIsNow", name: "null-timestamp-is-now",
    description: "timestamp: null is the time of construction, like a missing timestamp " +
      "(the original reads it as new Date(null), the epoch).",
  },
  {
    flag: "objectAccessors", name: "object-accessors",
    description: "traits(), properties(), options()/context(), integrations() and library() " +
      "always give objects: a traits, properties, context, integrations, providers or " +
      "library field holding a string, number, boolean or list reads as {} (library: " +
      "unknown). The original hands the raw value to callers, or throws when it adds an id.",
  },
];

// -- main ------------------------------------------------------------------------------

function evaluate(cases, probes) {
  return cases.map((c) => {
    const className = classFor(c.message);
    const instance = construct(className, JSON.parse(JSON.stringify(c.message)));
    return probes[className].map((p) => runProbe(instance, p));
  });
}

function pristine(corpusPath) {
  const tmp = require("path").join(require("os").tmpdir(), `facade-pristine-${process.pid}.json`);
  require("child_process").execFileSync(process.execPath, [__filename, corpusPath, tmp], {
    env: Object.assign({}, process.env, {FACADE_DIFF_PRISTINE: "1"}), stdio: "inherit"});
  const values = JSON.parse(fs.readFileSync(tmp, "utf8"));
  fs.unlinkSync(tmp);
  return values;
}

function main() {
  const [corpusPath, outPath] = process.argv.slice(2);
  if (!corpusPath || !outPath) {
    console.error("usage: TZ=UTC node expectations.js CORPUS.json OUT.json.gz");
    process.exit(2);
  }
  if (new RealDate(2014, 0, 1).getTimezoneOffset() !== 0) {
    console.error("run with TZ=UTC: local-time parsing must match our UTC reading");
    process.exit(2);
  }
  const corpus = JSON.parse(fs.readFileSync(corpusPath, "utf8"));
  const classes = ["Facade", "Identify", "Track", "Page", "Screen", "Group", "Alias", "Delete"];
  const probes = {};
  for (const name of classes) probes[name] = probesFor(name);
  if (process.env.FACADE_DIFF_PRISTINE) {  // self-check: the unpatched pass, no wrappers
    fs.writeFileSync(outPath, JSON.stringify(evaluate(corpus.cases, probes)));
    return;
  }
  install();

  let previous = evaluate(corpus.cases, probes);
  const first = previous;
  const upstream = corpus.cases.map(() => ({}));
  for (const patch of PATCHES) {
    flags[patch.flag] = true;
    const current = evaluate(corpus.cases, probes);
    current.forEach((values, i) => {
      values.forEach((value, j) => {
        const before = JSON.stringify(previous[i][j]);
        if (before !== JSON.stringify(value) && !(j in upstream[i])) {
          upstream[i][j] = {patch: patch.name, value: previous[i][j]};
        }
      });
    });
    previous = current;
  }

  const out = {
    source: `${pkg.name}@${pkg.version}`,
    node: process.version,
    fixed_now: new RealDate(FIXED_NOW).toISOString(),
    seed: corpus.seed,
    patches: PATCHES.map((p) => ({name: p.name, description: p.description})),
    probes,
    cases: corpus.cases.map((c, i) => {
      const entry = {id: c.id, message: c.message, class: classFor(c.message),
        expected: previous[i]};
      if (Object.keys(upstream[i]).length) entry.upstream = upstream[i];
      return entry;
    }),
  };
  fs.writeFileSync(outPath, zlib.gzipSync(JSON.stringify(out), {level: 9}));
  // The first pass (every flag off) must be the original exactly.
  if (JSON.stringify(first) !== JSON.stringify(pristine(corpusPath))) {
    console.error("the wrappers changed the original's answers with every flag off");
    process.exit(1);
  }
  console.log(`${outPath}: ${out.cases.length} messages, ` +
    `${Object.values(probes).reduce((n, p) => n + p.length, 0)} probes over 8 classes`);
}

main();
