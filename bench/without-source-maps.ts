/**
 * Imported first by the bench worker: Node's source-map support off, as in the notebooks (tslab does not turn it on).
 * tsx turns it on for TypeScript stack traces, and Node then keeps the parsed source map of every module it loads —
 * 46 MB of peak RSS for tfjs' bundle alone, which the course's own runs never pay.
 */
process.setSourceMapsEnabled(false);
