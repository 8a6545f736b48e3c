/**
 * Which implementation runs each layer's kernels in one training step of the course's two models, on each wasm
 * path: a table written by hand, checked against what the dispatchers chose (explainKernels). A change to an
 * `applies` test, the table's order or a path's enabled implementations shows up here as a named layer and role.
 */
import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { explainKernels, selectWasmTrainingPath, type WasmTrainingPath } from "../../lib/backend/wasm-training";
import { setTrainingFusion } from "../../lib/backend/training-fusions";
import { MAX_POOL_RELU_BIAS_GRADIENT_KERNEL, RELU_BIAS_GRADIENT_KERNEL } from "../../lib/backend/course-kernels";
import type { Implementation, KernelChoice } from "../../lib/backend/kernel-table";
import { buildMnistConvnet } from "../../lib/models/mnist-convnet";
import { buildCatsDogsConvnet } from "../../lib/models/cats-dogs-convnet";
import { reducesAllButLast } from "../../lib/backend/stock/js-kernels";
import { restoreBackendAfter, wasmPaths } from "./compare";

type PathName = WasmTrainingPath | "wasm, SIMD off";
/** Expected implementation on [wasm+onednn, wasm, wasm with the SIMD kernels off]. */
type Row = [Implementation, Implementation, Implementation];
type Role = "forward" | "pool forward" | "bias add" | "relu and bias gradient" | "bias gradient" | "input gradient" | "filter gradient" | "pool, relu and bias gradient" | "dx" | "dW" | "unfused";
type LayerExpectation = Partial<Record<Role, Row>>;

const PATH_COLUMN: Record<PathName, number> = { "wasm+onednn": 0, wasm: 1, "wasm, SIMD off": 2 };

// Convolutions with output channels a multiple of 8 run on the SIMD kernels; the first layer has no input gradient.
// Training runs each convolution, its bias and relu as one FusedConv2D (lib/backend/training-fusions.ts).
// A layer's relu gradient and bias gradient are one kernel (no separate Sum: checked below) — or, when a max pool
// follows, the pool's gradient kernel computes them with its own (the course's pools all follow a relu convolution).
const FIRST_CONV: LayerExpectation = {
  forward: ["onednn", "simd", "stock"],
  "filter gradient": ["onednn", "simd", "composed"],
};
const CONV: LayerExpectation = { ...FIRST_CONV, "input gradient": ["onednn", "simd", "composed"] };
const CONV_UNPOOLED: LayerExpectation = { ...CONV, "relu and bias gradient": ["onednn", "simd", "composed"] };
const POOL: LayerExpectation = { "pool forward": ["onednn", "stock", "stock"], "pool, relu and bias gradient": ["onednn", "simd", "typescript"] };
/** A hidden Dense layer (units a multiple of 8). */
const DENSE_HIDDEN: LayerExpectation = {
  forward: ["onednn", "simd", "stock"],
  dx: ["onednn", "simd", "composed"],
  dW: ["onednn", "simd", "composed"],
  "bias gradient": ["onednn", "simd", "typescript"],
};
/** The output Dense layer (10 or 1 units: not a multiple of 8 or 4). */
const DENSE_OUTPUT: LayerExpectation = {
  forward: ["onednn", "stock", "stock"],
  dx: ["onednn", "simd", "composed"],
  dW: ["onednn", "composed", "composed"],
  "bias gradient": ["onednn", "typescript", "typescript"],
};

const MODELS = [
  {
    name: "MNIST convnet",
    batch: 8,
    build: () => buildMnistConvnet(),
    loss: "categoricalCrossentropy",
    labels: (batch: number) => tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), "int32"), 10),
    expected: [FIRST_CONV, POOL, CONV, POOL, CONV_UNPOOLED, DENSE_HIDDEN, DENSE_OUTPUT],
  },
  {
    name: "cats/dogs convnet",
    batch: 2,
    build: () => buildCatsDogsConvnet(),
    loss: "binaryCrossentropy",
    labels: (batch: number) => tf.tensor2d(Array.from({ length: batch }, (_, i) => i % 2), [batch, 1]),
    expected: [FIRST_CONV, POOL, CONV, POOL, CONV, POOL, CONV, POOL, DENSE_HIDDEN, DENSE_OUTPUT],
  },
];

const same = (a: number[] | undefined, b: number[]) => a !== undefined && a.length === b.length && a.every((d, i) => d === b[i]);
/** Shape without leading 1s (tfjs reshapes Dense operands to rank 3 with a batch of 1). */
const squeezeLeading = (shape: number[] | undefined) => {
  if (shape === undefined) return undefined;
  let from = 0;
  while (from < shape.length - 2 && shape[from] === 1) from++;
  return shape.slice(from);
};

/** The dispatches that belong to one role of one layer, found by their operands' shapes. */
function dispatchesFor(choices: KernelChoice[], layer: tf.layers.Layer, role: Role, batch: number): KernelChoice[] {
  const input = [batch, ...((layer.input as tf.SymbolicTensor).shape.slice(1) as number[])];
  const output = [batch, ...((layer.output as tf.SymbolicTensor).shape.slice(1) as number[])];
  const channels = output[output.length - 1];
  const weights = layer.getWeights()[0]?.shape ?? [];
  const matching = (ops: string[], test: (shapes: Record<string, number[]>, choice: KernelChoice) => boolean) =>
    choices.filter((choice) => ops.includes(choice.op) && test(choice.shapes, choice));
  switch (role) {
    case "forward":
      return layer.getClassName() === "Dense"
        ? matching(["BatchMatMul", "_FusedMatMul"], (s) => same(squeezeLeading(s.a), input) && same(squeezeLeading(s.b), weights))
        : matching(["Conv2D", "FusedConv2D"], (s) => same(s.x, input) && same(s.filter, weights));
    case "relu and bias gradient":
      return matching([RELU_BIAS_GRADIENT_KERNEL], (s) => same(s.dy, output) && same(s.y, output));
    case "bias add":
      return matching(["Add"], (s) => same(s.a, output) && same(s.b, [channels]));
    case "unfused":
      // What tfjs' unfused training path would run for a convolution layer: a plain Conv2D, its bias add, its relu.
      return [
        ...matching(["Conv2D"], (s) => same(s.x, input) && same(s.filter, weights)),
        ...matching(["Add"], (s) => same(s.a, output) && same(s.b, [channels])),
        ...matching(["Relu"], (s) => same(s.x, output)),
      ];
    case "bias gradient":
      // (The loss sums the output layer's activations over the last axis too: not a bias gradient.)
      return matching(["Sum"], (s, choice) => same(s.x, output) && reducesAllButLast(choice.attributes.axis as number[], output.length));
    case "input gradient":
      return matching(["Conv2DBackpropInput"], (s) => same(s.dy, output) && same(s.filter, weights));
    case "filter gradient":
      return matching(["Conv2DBackpropFilter"], (s) => same(s.x, input) && same(s.dy, output));
    case "pool forward":
      return matching(["MaxPool"], (s) => same(s.x, input));
    case "pool, relu and bias gradient":
      return matching([MAX_POOL_RELU_BIAS_GRADIENT_KERNEL], (s) => same(s.input, input));
    case "dx":
      return matching(["BatchMatMul"], (s) => same(squeezeLeading(s.a), output) && same(squeezeLeading(s.b), weights));
    case "dW":
      return matching(["BatchMatMul"], (s) => same(squeezeLeading(s.a), input) && same(squeezeLeading(s.b), output));
  }
}

describe("kernel table: the implementation behind every layer of the course's models, on each path", function () {
  this.timeout(300_000);
  restoreBackendAfter();
  const savedSimd = process.env.CNN_WASM_SIMD_KERNELS;
  afterEach(() => {
    if (savedSimd === undefined) delete process.env.CNN_WASM_SIMD_KERNELS;
    else process.env.CNN_WASM_SIMD_KERNELS = savedSimd;
  });

  const paths: PathName[] = [...wasmPaths(), "wasm, SIMD off"];
  for (const model of MODELS) {
    for (const pathName of paths) {
      it(`${model.name} on ${pathName}`, async () => {
        await tf.setBackend("wasm");
        if (pathName === "wasm, SIMD off") process.env.CNN_WASM_SIMD_KERNELS = "off";
        selectWasmTrainingPath(pathName === "wasm, SIMD off" ? "wasm" : pathName);
        setTrainingFusion(true);
        const net = model.build();
        net.compile({ optimizer: tf.train.sgd(0.01), loss: model.loss });
        const [height, width, channels] = (net.inputs[0].shape as number[]).slice(1);
        const x = tf.randomUniform([model.batch, height, width, channels], 0, 1, "float32", 1);
        const y = model.labels(model.batch);
        const choices = await explainKernels(() => net.trainOnBatch(x, y));
        tf.dispose([x, y]);

        const trained = net.layers.filter((layer) => ["Conv2D", "MaxPooling2D", "Dense"].includes(layer.getClassName()));
        expect(trained.length, "layers with kernels").to.equal(model.expected.length);
        const column = PATH_COLUMN[pathName];
        const mismatches: string[] = [];
        let checked = 0;
        trained.forEach((layer, index) => {
          for (const [role, row] of Object.entries(model.expected[index]) as Array<[Role, Row]>) {
            const found = dispatchesFor(choices, layer, role, model.batch);
            if (found.length === 0) mismatches.push(`${layer.name} ${role}: no dispatch found`);
            for (const choice of found) {
              checked++;
              if (choice.implementation !== row[column]) {
                mismatches.push(`${layer.name} ${role}: ${choice.name} (${choice.implementation}), expected ${row[column]}; skipped ${choice.skipped.join("; ")}`);
              }
            }
          }
        });
        // A layer a pool follows gets its relu and bias gradients from the pool's kernel: none of its own.
        trained.forEach((layer, index) => {
          if (layer.getClassName() !== "Conv2D" || "relu and bias gradient" in model.expected[index]) return;
          for (const choice of dispatchesFor(choices, layer, "relu and bias gradient", model.batch)) mismatches.push(`${layer.name}: its own ${choice.op} after the pool's`);
        });
        for (const layer of trained.filter((candidate) => candidate.getClassName() === "Conv2D")) {
          for (const choice of dispatchesFor(choices, layer, "unfused", model.batch)) mismatches.push(`${layer.name}: unfused ${choice.op}`);
          for (const choice of dispatchesFor(choices, layer, "bias gradient", model.batch)) mismatches.push(`${layer.name}: a separate bias-gradient ${choice.op}`);
        }
        net.dispose();
        expect(mismatches, mismatches.join("\n")).to.deep.equal([]);
        expect(checked).to.be.at.least(model.expected.length);
      });
    }
  }
});

describe("kernel table: CNN_KERNEL_TRACE=1 and the fall-back on throw", function () {
  this.timeout(60_000);
  restoreBackendAfter();
  const saved = process.env.CNN_KERNEL_TRACE;
  const originalError = console.error;
  after(() => {
    console.error = originalError;
    if (saved === undefined) delete process.env.CNN_KERNEL_TRACE;
    else process.env.CNN_KERNEL_TRACE = saved;
  });

  it("prints each op, shapes and choice once, with why faster candidates were skipped", async () => {
    await tf.setBackend("wasm");
    const lines: string[] = [];
    console.error = (line: string) => lines.push(line);
    process.env.CNN_KERNEL_TRACE = "1";
    selectWasmTrainingPath("wasm");
    for (let repeat = 0; repeat < 3; repeat++) {
      tf.tidy(() => tf.conv2d(tf.ones([1, 5, 5, 2]) as tf.Tensor4D, tf.ones([3, 3, 2, 3]) as tf.Tensor4D, 1, "valid").dataSync());
    }
    process.env.CNN_KERNEL_TRACE = "0";
    selectWasmTrainingPath("wasm");
    tf.tidy(() => tf.conv2d(tf.ones([1, 6, 6, 2]) as tf.Tensor4D, tf.ones([3, 3, 2, 3]) as tf.Tensor4D, 1, "valid").dataSync());
    console.error = originalError;
    const conv = lines.filter((line) => line.startsWith("[kernel] Conv2D"));
    expect(conv).to.deep.equal([
      "[kernel] Conv2D x [1,5,5,2], filter [3,3,2,3] → stock Conv2D (skipped: oneDNN convolution: wasm path chosen; " +
        "SIMD convolution: output channels 3 not a multiple of 8)",
    ]);
  });
});
