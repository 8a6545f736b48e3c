import { expect } from "chai";
import { createMessage, type JupyterMessage } from "../../scripts/jupyter/messages";
import { signFrames, verifyFrames } from "../../scripts/jupyter/signing";
import { DELIMITER, InvalidSignatureError, decodeMessage, encodeMessage } from "../../scripts/jupyter/wire";
import { createHmac } from "node:crypto";

const KEY = "3c1b8f0e-test-key";

function sampleMessage(): JupyterMessage<{ name: string; text: string }> {
  return createMessage("stream", "session-1", { name: "stdout", text: "hello\n" });
}

describe("runner: message signing", () => {
  it("signs the four JSON frames with HMAC-SHA256 in hex, as the wire protocol says", () => {
    const frames = ['{"a":1}', "{}", "{}", '{"b":2}'];
    const expected = createHmac("sha256", KEY).update(frames.join("")).digest("hex");
    expect(signFrames(KEY, frames)).to.equal(expected);
    expect(signFrames(KEY, frames)).to.match(/^[0-9a-f]{64}$/);
  });

  it("accepts a good signature and rejects a wrong one or a wrong key", () => {
    const frames = ['{"msg_type":"status"}', "{}", "{}", '{"execution_state":"idle"}'];
    const signature = signFrames(KEY, frames);
    expect(verifyFrames(KEY, signature, frames)).to.equal(true);
    expect(verifyFrames("another-key", signature, frames)).to.equal(false);
    expect(verifyFrames(KEY, signature.replace(/^./, (c) => (c === "0" ? "1" : "0")), frames)).to.equal(false);
    expect(verifyFrames(KEY, "", frames)).to.equal(false);
  });

  it("round-trips a message through the wire format", () => {
    const message = sampleMessage();
    const frames = encodeMessage(message, KEY);
    expect(frames[0].equals(DELIMITER)).to.equal(true);
    const decoded = decodeMessage(frames, KEY);
    expect(decoded.header).to.deep.equal(message.header);
    expect(decoded.content).to.deep.equal({ name: "stdout", text: "hello\n" });
    expect(decoded.header.version).to.equal("5.3");
  });

  it("reads messages behind ZeroMQ routing identities", () => {
    const frames = [Buffer.from("identity-1"), ...encodeMessage(sampleMessage(), KEY)];
    expect(decodeMessage(frames, KEY).header.msg_type).to.equal("stream");
  });

  it("rejects a message whose content was tampered with after signing", () => {
    const frames = encodeMessage(sampleMessage(), KEY);
    frames[5] = Buffer.from(JSON.stringify({ name: "stdout", text: "tampered\n" }));
    expect(() => decodeMessage(frames, KEY)).to.throw(InvalidSignatureError, /stream/);
  });

  it("rejects a message whose header was tampered with, or signed with another key", () => {
    const frames = encodeMessage(sampleMessage(), KEY);
    const header = JSON.parse(frames[2].toString());
    frames[2] = Buffer.from(JSON.stringify({ ...header, msg_type: "execute_reply" }));
    expect(() => decodeMessage(frames, KEY)).to.throw(InvalidSignatureError);
    expect(() => decodeMessage(encodeMessage(sampleMessage(), "other"), KEY)).to.throw(InvalidSignatureError);
  });

  it("rejects a malformed message without a delimiter", () => {
    const frames = encodeMessage(sampleMessage(), KEY).slice(1);
    expect(() => decodeMessage(frames, KEY)).to.throw(/delimiter/);
  });
});
