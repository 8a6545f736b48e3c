/**
 * HMAC signing of Jupyter messages (wire protocol): the signature is the hex HMAC-SHA256, keyed with the connection
 * file's `key`, over the four JSON frames header, parent_header, metadata and content, in that order.
 * https://jupyter-client.readthedocs.io/en/latest/messaging.html#the-wire-protocol
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** The only scheme tslab (and this runner) speaks. */
export const SIGNATURE_SCHEME = "hmac-sha256";

/** The hex signature of the given frames; an empty key means "no authentication" and signs as "". */
export function signFrames(key: string, frames: ReadonlyArray<string | Buffer>): string {
  if (key === "") return "";
  const hmac = createHmac("sha256", key);
  for (const frame of frames) hmac.update(frame);
  return hmac.digest("hex");
}

/** True when `signature` is the signature of `frames` under `key`; compared in constant time. */
export function verifyFrames(key: string, signature: string, frames: ReadonlyArray<string | Buffer>): boolean {
  const expected = Buffer.from(signFrames(key, frames), "utf8");
  const received = Buffer.from(signature, "utf8");
  return expected.length === received.length && timingSafeEqual(expected, received);
}
