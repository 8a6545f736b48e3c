/**
 * The kernel connection file: five free TCP ports on the loopback interface and a fresh HMAC key, written 0600 to a
 * temporary file that the kernel reads with `--config-path`.
 * https://jupyter-client.readthedocs.io/en/latest/kernels.html#connection-files
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { SIGNATURE_SCHEME } from "./signing";

const LOOPBACK = "127.0.0.1";
const KEY_BYTES = 32;

export interface ConnectionInfo {
  transport: "tcp";
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: typeof SIGNATURE_SCHEME;
  kernel_name: string;
}

/** Ask the OS for `count` distinct free ports (all held open together so none repeats). */
export async function findFreePorts(count: number, host: string = LOOPBACK): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, host, () => resolve());
      });
    }
    return servers.map((server) => (server.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

export async function createConnectionInfo(kernelName = "tslab"): Promise<ConnectionInfo> {
  const [shell, iopub, stdin, control, hb] = await findFreePorts(5);
  return {
    transport: "tcp",
    ip: LOOPBACK,
    shell_port: shell,
    iopub_port: iopub,
    stdin_port: stdin,
    control_port: control,
    hb_port: hb,
    key: randomBytes(KEY_BYTES).toString("hex"),
    signature_scheme: SIGNATURE_SCHEME,
    kernel_name: kernelName,
  };
}

/** Write the connection file readable by this user only (it holds the signing key); returns its path. */
export function writeConnectionFile(info: ConnectionInfo, dir: string = os.tmpdir()): string {
  const file = path.join(dir, `cnn-notebooks-kernel-${randomBytes(6).toString("hex")}.json`);
  fs.writeFileSync(file, JSON.stringify(info, null, 1), { mode: 0o600 });
  return file;
}

export function endpoint(info: ConnectionInfo, port: number): string {
  return `${info.transport}://${info.ip}:${port}`;
}
