import { expect } from "chai";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { downloadProgressText, ensureDatasetFile, forgetVerifiedFiles, type DatasetFileRequest } from "../../lib/data/download";

const BODY = crypto.randomBytes(300_000);
const BODY_SHA256 = crypto.createHash("sha256").update(BODY).digest("hex");

interface Served {
  path: string;
  range: string | undefined;
}

/** A local stand-in for the download site: good files, a wrong one, and connections that drop mid-body. */
function startServer(): Promise<{ server: http.Server; base: string; served: Served[] }> {
  const served: Served[] = [];
  const dropped = new Set<string>();
  const server = http.createServer((req, res) => {
    const url = req.url ?? "";
    served.push({ path: url, range: req.headers.range });
    const sendRange = (body: Buffer) => {
      const match = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
      if (match) {
        const start = Number(match[1]);
        res.writeHead(206, { "Content-Length": body.length - start, "Content-Range": `bytes ${start}-${body.length - 1}/${body.length}` });
        res.end(body.subarray(start));
      } else {
        res.writeHead(200, { "Content-Length": body.length });
        res.end(body);
      }
    };
    // The first request of a /drop-once/ file sends half the body, then the connection dies.
    if (url.startsWith("/drop-once/") && !dropped.has(url)) {
      dropped.add(url);
      res.writeHead(200, { "Content-Length": BODY.length });
      res.write(BODY.subarray(0, BODY.length / 2), () => setTimeout(() => req.socket.destroy(), 20));
      return;
    }
    if (url.startsWith("/drop-once/") || url.startsWith("/good/")) return sendRange(BODY);
    if (url.startsWith("/no-ranges/")) {
      if (!dropped.has(url)) {
        dropped.add(url);
        res.writeHead(200, { "Content-Length": BODY.length });
        res.write(BODY.subarray(0, 1000), () => setTimeout(() => req.socket.destroy(), 20));
        return;
      }
      res.writeHead(200, { "Content-Length": BODY.length });
      return void res.end(BODY);
    }
    if (url.startsWith("/wrong/")) {
      res.writeHead(200, { "Content-Length": BODY.length });
      return void res.end(Buffer.alloc(BODY.length, 7));
    }
    if (url.startsWith("/redirect/")) {
      res.writeHead(302, { Location: url.replace("/redirect/", "/good/") });
      return void res.end();
    }
    res.writeHead(404);
    res.end();
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, served })),
  );
}

describe("lib/data: downloading with checksums, cache and mirror", () => {
  let server: http.Server;
  let base: string;
  let served: Served[];
  let dataDir: string;
  const quiet = { progress: false as const, mirror: null, log: () => undefined };

  before(async () => {
    ({ server, base, served } = await startServer());
  });
  after(() => server.close());
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "download-"));
    served.length = 0;
    forgetVerifiedFiles();
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  function file(route: string, name = "file.gz", sha256 = BODY_SHA256): DatasetFileRequest {
    return { dataset: "toy", name, sha256, bytes: BODY.length, url: `${base}/${route}/${name}` };
  }

  async function failure(promise: Promise<unknown>): Promise<string> {
    try {
      await promise;
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error("expected a failure");
  }

  it("downloads into <dataDir>/<dataset>/<file>, verifies it, and never downloads it twice", async () => {
    const target = await ensureDatasetFile(file("good"), { ...quiet, dataDir });
    expect(target).to.equal(path.join(dataDir, "toy", "file.gz"));
    expect(fs.readFileSync(target).equals(BODY)).to.equal(true);
    expect(fs.existsSync(`${target}.part`)).to.equal(false);
    forgetVerifiedFiles(); // as in a new process
    await ensureDatasetFile(file("good"), { ...quiet, dataDir });
    expect(served).to.have.length(1);
  });

  it("follows a redirect", async () => {
    const target = await ensureDatasetFile(file("redirect"), { ...quiet, dataDir });
    expect(fs.readFileSync(target).equals(BODY)).to.equal(true);
  });

  it("resumes an interrupted transfer with a Range request", async () => {
    const target = await ensureDatasetFile(file("drop-once"), { ...quiet, dataDir });
    expect(fs.readFileSync(target).equals(BODY)).to.equal(true);
    expect(served).to.have.length(2);
    expect(served[0].range).to.equal(undefined);
    expect(served[1].range).to.match(/^bytes=[1-9]\d*-$/);
  });

  it("restarts from the beginning when the server ignores ranges", async () => {
    const target = await ensureDatasetFile(file("no-ranges"), { ...quiet, dataDir });
    expect(fs.readFileSync(target).equals(BODY)).to.equal(true);
    expect(served).to.have.length(2);
  });

  it("rejects a wrong file, showing both hashes, and leaves no file that could pass for good", async () => {
    const message = await failure(ensureDatasetFile(file("wrong"), { ...quiet, dataDir }));
    const wrongHash = crypto.createHash("sha256").update(Buffer.alloc(BODY.length, 7)).digest("hex");
    expect(message).to.include("file.gz").and.include(`${base}/wrong/file.gz`).and.include(BODY_SHA256).and.include(wrongHash);
    expect(fs.readdirSync(path.join(dataDir, "toy"))).to.deep.equal([]);
  });

  it("names the file, the URL and the status when the server has no such file", async () => {
    const message = await failure(ensureDatasetFile(file("missing"), { ...quiet, dataDir }));
    expect(message).to.include("file.gz").and.include(`${base}/missing/file.gz`).and.include("404");
  });

  it("without a network, says to set CNN_DATA_MIRROR or check the connection", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    const request = { ...file("good"), url: `http://127.0.0.1:${port}/file.gz` };
    const message = await failure(ensureDatasetFile(request, { ...quiet, dataDir }));
    expect(message).to.include("file.gz").and.include(request.url).and.include("CNN_DATA_MIRROR").and.include("connection");
  });

  it("words its progress with bytes, percent and speed", () => {
    const text = downloadProgressText("train-images-idx3-ubyte.gz", { received: 4_404_019, total: 9_912_422 }, 2);
    expect(text).to.equal("Downloading train-images-idx3-ubyte.gz  4.2 MB/9.5 MB  44%  2.1 MB/s");
    expect(downloadProgressText("x.gz", { received: 2048, total: null }, 0)).to.equal("Downloading x.gz  2 kB");
  });

  describe("with a mirror", () => {
    let mirror: string;
    beforeEach(() => {
      mirror = fs.mkdtempSync(path.join(os.tmpdir(), "mirror-"));
      fs.mkdirSync(path.join(mirror, "toy"));
      fs.writeFileSync(path.join(mirror, "toy", "file.gz"), BODY);
    });
    afterEach(() => fs.rmSync(mirror, { recursive: true, force: true }));

    it("reads the mirror's file in place: no copy, no network", async () => {
      const offline = { ...file("good"), url: "http://127.0.0.1:9/unreachable" };
      const found = await ensureDatasetFile(offline, { ...quiet, mirror, dataDir });
      expect(found).to.equal(path.join(mirror, "toy", "file.gz"));
      expect(served).to.have.length(0);
      expect(fs.existsSync(path.join(dataDir, "toy"))).to.equal(false);
    });

    it("verifies the mirror once per process, again when the file changes", async () => {
      const mirrored = path.join(mirror, "toy", "file.gz");
      const mtime = new Date("2026-01-01T00:00:00Z"); // whole seconds, so it can be put back exactly
      fs.utimesSync(mirrored, mtime, mtime);
      await ensureDatasetFile(file("good"), { ...quiet, mirror, dataDir });
      // Same size and mtime: the remembered verification holds (the file is not hashed again).
      fs.writeFileSync(mirrored, Buffer.alloc(BODY.length, 1));
      fs.utimesSync(mirrored, mtime, mtime);
      expect(await ensureDatasetFile(file("good"), { ...quiet, mirror, dataDir })).to.equal(mirrored);
      // A new mtime: hashed again, and the damage is found.
      fs.utimesSync(mirrored, mtime, new Date(mtime.getTime() + 5000));
      const message = await failure(ensureDatasetFile(file("good"), { ...quiet, mirror, dataDir }));
      expect(message).to.include("checksum mismatch").and.include(mirrored).and.include(BODY_SHA256);
    });

    it("says where it looked when the mirror lacks the file", async () => {
      const message = await failure(ensureDatasetFile(file("good", "other.gz"), { ...quiet, mirror, dataDir }));
      expect(message).to.include(path.join(mirror, "toy", "other.gz"));
    });
  });
});
