// Stands in for the `debug` package (with `ms`, 6 KiB minified) inside the mediasoup-client that
// @alcove/core bundles (mediasoup-client, awaitqueue and h264-profile-level-id log through it).
// The same opt-in as `debug` in a browser, read once when the bundle loads:
//   localStorage.debug = 'mediasoup-client:*'   (comma- or space-separated, `*` any text, `-` excludes)
// Without it every logger is a no-op, as with `debug`. No colours, `+Nms` deltas or `%j`; the
// console formats `%s`, `%o`, `%O` and `%d` itself.
let rules;

function load() {
  let spec = '';
  try {
    spec = globalThis.localStorage?.getItem('debug') ?? '';
  } catch {
    // storage disabled or blocked: logging stays off
  }
  const toRegExp = (p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  const names = spec.split(/[\s,]+/).filter(Boolean);
  return {
    skip: names.filter((n) => n[0] === '-').map((n) => toRegExp(n.slice(1))),
    keep: names.filter((n) => n[0] !== '-').map(toRegExp),
  };
}

export default function createDebug(namespace) {
  rules ??= load();
  const logger = (first, ...rest) => {
    if (logger.enabled)
      logger.log(typeof first === 'string' ? `${namespace} ${first}` : namespace, ...(typeof first === 'string' ? rest : [first, ...rest]));
  };
  logger.namespace = namespace;
  logger.enabled = !rules.skip.some((r) => r.test(namespace)) && rules.keep.some((r) => r.test(namespace));
  logger.log = console.debug.bind(console);
  return logger;
}
