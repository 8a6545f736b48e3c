/**
 * The shapes of the Jupyter messages the runner sends and reads (messaging protocol 5.3), and header creation.
 * https://jupyter-client.readthedocs.io/en/latest/messaging.html
 */
import { randomUUID } from "node:crypto";

export const PROTOCOL_VERSION = "5.3";
const USERNAME = "cnn-notebooks";

export interface MessageHeader {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}

/** A decoded message; `parent_header` is `{}` for messages that answer nothing. */
export interface JupyterMessage<Content = Record<string, unknown>> {
  header: MessageHeader;
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: Content;
  buffers: Buffer[];
}

export type MimeBundle = Record<string, unknown>;

export interface StreamContent {
  name: "stdout" | "stderr";
  text: string;
}

export interface DisplayDataContent {
  data: MimeBundle;
  metadata?: Record<string, unknown>;
  transient?: { display_id?: string };
}

export interface ExecuteResultContent extends DisplayDataContent {
  execution_count: number | null;
}

export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

export interface ClearOutputContent {
  wait: boolean;
}

export interface ExecuteInputContent {
  code: string;
  execution_count: number | null;
}

export interface StatusContent {
  execution_state: "busy" | "idle" | "starting";
}

export interface ExecuteReplyContent {
  status: "ok" | "error" | "abort" | "aborted";
  execution_count?: number | null;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

export function createHeader(msgType: string, session: string): MessageHeader {
  return {
    msg_id: randomUUID(),
    msg_type: msgType,
    session,
    username: USERNAME,
    date: new Date().toISOString(),
    version: PROTOCOL_VERSION,
  };
}

export function createMessage<Content>(msgType: string, session: string, content: Content): JupyterMessage<Content> {
  return { header: createHeader(msgType, session), parent_header: {}, metadata: {}, content, buffers: [] };
}
