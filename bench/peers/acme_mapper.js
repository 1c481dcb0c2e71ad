'use strict';

// The Acme mapper of bench/acme.py, for the Node original: it reads every message through
// segmentio-facade accessors only and returns the payload with null/undefined fields dropped;
// JSON.stringify writes Dates as ISO strings. Kept field for field in step with bench/acme.py,
// so both sides produce the same bytes for the same message.

function dropEmpty(payload) {
  Object.keys(payload).forEach(function (key) {
    if (payload[key] === null || payload[key] === undefined) delete payload[key];
  });
  return payload;
}

function base(msg, settings, type) {
  var when = msg.timestamp();
  var userId = msg.userId();
  var anonymousId = msg.anonymousId();
  return {
    type: type,
    token: settings.apiKey,
    distinct_id: userId || anonymousId,
    user_id: userId,
    anonymous_id: anonymousId,
    insert_id: msg.field('messageId'),
    time: when.getTime(),
    timestamp: when.toISOString(),
    ip: msg.ip(),
    user_agent: msg.userAgent(),
    library: msg.library().name,
    locale: msg.proxy('context.locale')
  };
}

var ITEM_FIELDS = [['id', 'product_id'], ['sku', 'sku'], ['price', 'price'],
  ['quantity', 'quantity']];

function item(product) {
  var out = {};
  ITEM_FIELDS.forEach(function (pair) {
    if (product && pair[1] in product) out[pair[0]] = product[pair[1]];
  });
  return out;
}

exports.track = function (msg, settings) {
  var out = base(msg, settings, 'track');
  var revenue = msg.revenue();
  var products = msg.products();
  out.event = msg.event();
  out.email = msg.email();
  out.url = msg.proxy('context.page.url');
  out.referrer = msg.referrer();
  if (revenue) {
    out.revenue = revenue;
    out.currency = msg.currency();
  }
  out.price = msg.price();
  out.quantity = msg.quantity();
  out.order_id = msg.orderId();
  if (products.length) out.items = products.map(item);
  out.properties = msg.properties();
  out.traits = msg.traits();
  return dropEmpty(out);
};

exports.identify = function (msg, settings) {
  var out = base(msg, settings, 'identify');
  out.email = msg.email();
  out.name = msg.name();
  out.first_name = msg.firstName();
  out.last_name = msg.lastName();
  out.phone = msg.phone();
  out.company = msg.companyName();
  out.city = msg.city();
  out.country = msg.country();
  out.created = msg.created();
  out.traits = msg.traits();
  return dropEmpty(out);
};

exports.page = function (msg, settings) {
  var out = base(msg, settings, msg.type());
  out.event = msg.event(msg.fullName());
  out.name = msg.name();
  out.category = msg.category();
  out.url = msg.url();
  out.path = msg.path();
  out.title = msg.title();
  out.referrer = msg.referrer();
  out.email = msg.email();
  out.properties = msg.properties();
  return dropEmpty(out);
};

exports.screen = exports.page;

exports.group = function (msg, settings) {
  var out = base(msg, settings, 'group');
  out.group_id = msg.groupId();
  out.name = msg.name();
  out.industry = msg.industry();
  out.employees = msg.employees();
  out.email = msg.email();
  out.created = msg.created();
  out.city = msg.city();
  out.traits = msg.traits();
  return dropEmpty(out);
};

exports.alias = function (msg, settings) {
  var out = base(msg, settings, 'alias');
  out.previous_id = msg.previousId();
  out.alias = msg.userId();
  return dropEmpty(out);
};
