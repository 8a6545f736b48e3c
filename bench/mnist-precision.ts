/**
 * Chapter 5's training in a given precision, outside the notebook: the MNIST convnet, Keras' RMSprop, 5 epochs of
 * 60k at batch 64 with the course seed (as chapter 5 trains it), then test accuracy — to check mixed_bfloat16 still
 * reaches the chapter's 0.990. The run is recorded in a temporary ledger, never in runs/.
 *
 *   CNN_DATA_MIRROR=../shared/data tsx bench/mnist-precision.ts mixed_bfloat16 [epochs]
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setupBackend } from "../lib/backend";
import { setPrecisionPolicy } from "../lib/backend/precision";
import { loadMnist } from "../lib/data/mnist";
import { buildMnistConvnet } from "../lib/models/mnist-convnet";
import { fitWithLedger } from "../lib/train/fit";
import { RMSprop } from "../lib/train/rmsprop";

const CHAPTER_5_EPOCHS = 5;
const CHAPTER_5_BATCH = 64;

async function main(): Promise<void> {
  const policy = process.argv[2] ?? "float32";
  const epochs = Number(process.argv[3] ?? CHAPTER_5_EPOCHS);
  await setupBackend({ quiet: true });
  const precision = setPrecisionPolicy(policy);
  if (precision.active !== precision.requested) throw new Error(precision.note ?? `${policy} is not available here`);
  const data = await loadMnist();
  const model = buildMnistConvnet();
  model.compile({ optimizer: new RMSprop(), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "mnist-precision-"));
  try {
    const run = await fitWithLedger(model, { x: data.train.images, y: data.train.labels }, {
      epochs, batchSize: CHAPTER_5_BATCH, notebook: "mnist-precision", runsDir, checkpoints: false, progress: false, log: () => undefined,
    });
    const [, accuracy] = model.evaluate(data.test.images, data.test.labels, { batchSize: 256 }) as tf.Scalar[];
    console.log(JSON.stringify({
      precision: precision.active,
      epochs,
      trainAccuracy: run.history.accuracy,
      testAccuracy: accuracy.dataSync()[0],
      secondsPerEpoch: run.secondsPerEpoch,
    }));
  } finally {
    fs.rmSync(runsDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
