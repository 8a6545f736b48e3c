/**
 * Chapter 5's training in a given precision, outside the notebook: the MNIST convnet, RMSprop, 5 epochs of 60k at
 * batch 64, then test accuracy — to check mixed_bfloat16 still reaches the chapter's 0.990.
 *
 *   CNN_DATA_MIRROR=/work/shared/data tsx bench/mnist-precision.ts mixed_bfloat16 [epochs]
 */
import * as tf from "@tensorflow/tfjs";
import { setupBackend } from "../lib/backend";
import { setPrecisionPolicy } from "../lib/backend/precision";
import { loadMnist } from "../lib/data/mnist";
import { buildMnistConvnet } from "../lib/models/mnist-convnet";

async function main(): Promise<void> {
  const policy = process.argv[2] ?? "float32";
  const epochs = Number(process.argv[3] ?? 5);
  await setupBackend({ quiet: true });
  const precision = setPrecisionPolicy(policy);
  const data = await loadMnist();
  const model = buildMnistConvnet();
  model.compile({ optimizer: "rmsprop", loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  const started = performance.now();
  const history = await model.fit(data.train.images, data.train.labels, { epochs, batchSize: 64, verbose: 0 });
  const seconds = (performance.now() - started) / 1000;
  const [, accuracy] = model.evaluate(data.test.images, data.test.labels, { batchSize: 256 }) as tf.Scalar[];
  console.log(JSON.stringify({
    precision: precision.active,
    epochs,
    trainAccuracy: history.history.acc ?? history.history.accuracy,
    testAccuracy: accuracy.dataSync()[0],
    seconds,
  }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
