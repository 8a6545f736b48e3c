/**
 * The Jupyter wire format: [routing identities…, "<IDS|MSG>", signature, header, parent_header, metadata, content,
 * buffers…]. Encoding signs; decoding verifies and refuses a message whose signature does not match.
 */
import type { JupyterMessage, MessageHeader } from "./messages";
import { signFrames, verifyFrames } from "./signing";

export const DELIMITER = Buffer.from("<IDS|MSG>");
/** header, parent_header, metadata, content */
const SIGNED_FRAME_COUNT = 4;

export class InvalidSignatureError extends Error {
  constructor(readonly msgType: string) {
    super(`refused a "${msgType}" message with an invalid HMAC signature`);
    this.name = "InvalidSignatureError";
  }
}

/** The frames to send on a DEALER socket (no identities) for `message`, signed with `key`. */
export function encodeMessage(message: JupyterMessage<unknown>, key: string): Buffer[] {
  const signed = [message.header, message.parent_header, message.metadata, message.content].map((part) =>
    Buffer.from(JSON.stringify(part), "utf8"),
  );
  return [DELIMITER, Buffer.from(signFrames(key, signed), "utf8"), ...signed, ...message.buffers];
}

/** Decode received frames; throws InvalidSignatureError when the signature is wrong, Error when malformed. */
export function decodeMessage(frames: ReadonlyArray<Buffer>, key: string): JupyterMessage {
  const delimiterAt = frames.findIndex((frame) => frame.equals(DELIMITER));
  if (delimiterAt < 0 || frames.length < delimiterAt + 2 + SIGNED_FRAME_COUNT) {
    throw new Error("malformed Jupyter message: no <IDS|MSG> delimiter or too few frames");
  }
  const signature = frames[delimiterAt + 1].toString("utf8");
  const signed = frames.slice(delimiterAt + 2, delimiterAt + 2 + SIGNED_FRAME_COUNT);
  // Verify before parsing: an unsigned message is not read at all.
  if (!verifyFrames(key, signature, signed)) throw new InvalidSignatureError(msgTypeOf(signed[0]));
  const [header, parentHeader, metadata, content] = signed.map((frame) => JSON.parse(frame.toString("utf8")));
  return {
    header: header as MessageHeader,
    parent_header: (parentHeader ?? {}) as Partial<MessageHeader>,
    metadata: (metadata ?? {}) as Record<string, unknown>,
    content: (content ?? {}) as Record<string, unknown>,
    buffers: frames.slice(delimiterAt + 2 + SIGNED_FRAME_COUNT),
  };
}

/** The msg_type of a header frame, for the error message only. */
function msgTypeOf(headerFrame: Buffer): string {
  try {
    return String((JSON.parse(headerFrame.toString("utf8")) as Partial<MessageHeader>).msg_type ?? "unknown");
  } catch {
    return "unparsable";
  }
}
