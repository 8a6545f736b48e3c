/**
 * Each convolution pass of the course's two models, alone, in float32 and in mixed_bfloat16 (operands converted from
 * the wasm heap's float32, as training does): where bf16 pays and by how much. With the measured matmul peaks
 * (bench/machine-peak.ts), it bounds what bf16 can do for a whole training step: the step's other kernels do not
 * change with the precision, so the step cannot gain more than its convolutions do.
 *
 *   tsx bench/conv-passes.ts [mnist|catsdogs]
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { setPrecisionPolicy } from "../lib/backend/precision";
import { selectWasmTrainingPath } from "../lib/backend/wasm-training";
import { buildCatsDogsConvnet } from "../lib/models/cats-dogs-convnet";
import { buildMnistConvnet } from "../lib/models/mnist-convnet";
import { MODEL_BENCH, type BenchModel } from "./config";
import { measureMachinePeak } from "./machine-peak";

const REPEATS = 12;
/** The first calls create (JIT-compile) each primitive: not counted. */
const UNTIMED = 2;
const PRECISIONS = ["float32", "mixed_bfloat16"] as const;

type Pass = "forward" | "input gradient" | "filter gradient";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Milliseconds per call of each pass, by precision (alternating, so drift hits both alike). */
function timePasses(calls: Record<Pass, () => tf.Tensor>): Record<Pass, Record<(typeof PRECISIONS)[number], number>> {
  const result = {} as Record<Pass, Record<(typeof PRECISIONS)[number], number>>;
  for (const [pass, call] of Object.entries(calls) as Array<[Pass, () => tf.Tensor]>) {
    const times: Record<string, number[]> = { float32: [], mixed_bfloat16: [] };
    for (let repeat = 0; repeat < REPEATS + UNTIMED; repeat++) {
      for (const precision of PRECISIONS) {
        setPrecisionPolicy(precision);
        // The wasm backend runs kernels synchronously: the call's own time, without reading the result back.
        const start = performance.now();
        const output = call();
        const elapsed = performance.now() - start;
        output.dispose();
        if (repeat >= UNTIMED) times[precision].push(elapsed);
      }
    }
    result[pass] = { float32: median(times.float32), mixed_bfloat16: median(times.mixed_bfloat16) };
  }
  setPrecisionPolicy("float32");
  return result;
}

async function main(): Promise<void> {
  const models = (process.argv[2] === undefined ? ["mnist", "catsdogs"] : [process.argv[2]]) as BenchModel[];
  await tf.setBackend("wasm");
  selectWasmTrainingPath("wasm+onednn");
  if (setPrecisionPolicy("mixed_bfloat16").active !== "mixed_bfloat16") throw new Error("mixed_bfloat16 is not available here");
  setPrecisionPolicy("float32");
  const peak = measureMachinePeak();
  if (peak?.bfloat16Flops != null) {
    console.log(`matmul peak: float32 ${(peak.float32Flops / 1e9).toFixed(0)} GFLOP/s, bfloat16 ${(peak.bfloat16Flops / 1e9).toFixed(0)} GFLOP/s (${(peak.bfloat16Flops / peak.float32Flops).toFixed(2)}×)`);
  }
  for (const modelName of models) {
    const batch = MODEL_BENCH[modelName].batch;
    const model = modelName === "mnist" ? buildMnistConvnet() : buildCatsDogsConvnet();
    const totals = { float32: 0, mixed_bfloat16: 0 };
    console.log(`\n${modelName} (batch ${batch}): ms per call, float32 / mixed_bfloat16`);
    for (const [index, layer] of model.layers.filter((l) => l.getClassName() === "Conv2D").entries()) {
      const [, height, width, channels] = (layer.input as tf.SymbolicTensor).shape as number[];
      const [, outHeight, outWidth, outChannels] = (layer.output as tf.SymbolicTensor).shape as number[];
      const x = tf.randomUniform([batch, height, width, channels]);
      const filter = tf.randomUniform([3, 3, channels, outChannels], -0.1, 0.1);
      const bias = tf.zeros([outChannels]);
      const dy = tf.randomUniform([batch, outHeight, outWidth, outChannels]);
      const conv = { strides: [1, 1], pad: "valid", dataFormat: "NHWC", dilations: [1, 1] };
      const run = (name: string, inputs: Record<string, tf.Tensor>, attributes: Record<string, unknown>) =>
        tf.engine().runKernel(name, inputs, attributes as unknown as tf.NamedAttrMap) as tf.Tensor;
      const calls: Record<Pass, () => tf.Tensor> = {
        forward: () => run("FusedConv2D", { x, filter, bias }, { ...conv, activation: "relu" }),
        "input gradient": () => run("Conv2DBackpropInput", { dy, filter }, { ...conv, inputShape: [batch, height, width, channels] }),
        "filter gradient": () => run("Conv2DBackpropFilter", { x, dy }, { ...conv, filterShape: [3, 3, channels, outChannels] }),
      };
      // Training never computes a first layer's input gradient.
      if (index === 0) delete (calls as Partial<Record<Pass, () => tf.Tensor>>)["input gradient"];
      const times = timePasses(calls);
      const cells = Object.entries(times).map(([pass, t]) => {
        totals.float32 += t.float32;
        totals.mixed_bfloat16 += t.mixed_bfloat16;
        return `${pass} ${t.float32.toFixed(2)} / ${t.mixed_bfloat16.toFixed(2)} (${(t.float32 / t.mixed_bfloat16).toFixed(2)}×)`;
      });
      console.log(`  ${height}×${width}×${channels} → ${outChannels}: ${cells.join(" · ")}`);
      tf.dispose([x, filter, bias, dy]);
    }
    console.log(`  all training passes: ${totals.float32.toFixed(1)} / ${totals.mixed_bfloat16.toFixed(1)} ms (${(totals.float32 / totals.mixed_bfloat16).toFixed(2)}×)`);
    model.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
