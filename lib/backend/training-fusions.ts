/**
 * Convolution + bias + relu as one kernel while training, too.
 *
 * tfjs fuses a layer's convolution, bias and activation into FusedConv2D only when no gradient is being recorded:
 * under training (`shouldFuse` in tfjs-core) it runs Conv2D, Add and Relu, keeps all three outputs for the backward
 * pass, and differentiates them one by one. Here a relu (or linear) convolution being differentiated runs FusedConv2D
 * and gives the gradient tfjs' own fused op defines — the relu mask taken from the output, the two convolution
 * gradients, the bias gradient as a sum — so the numbers are the same, with two kernels fewer per layer forward and
 * one activation kept per layer instead of three. Everything else goes to tfjs' own `fused.conv2d`.
 *
 * A max pool over such a layer's output takes its gradient through the relu in the same pass where the backend has
 * the course's kernel for it, with the layer's bias gradient; the layer's gradient then finds both done (the relu
 * mask applied twice is the same mask). Nothing is cached across steps: the hand-over is keyed by the gradient
 * tensor's data and lives as long as it does.
 */
import * as tf from "@tensorflow/tfjs";
import { MAX_POOL_RELU_BIAS_GRADIENT_KERNEL, RELU_BIAS_GRADIENT_KERNEL } from "./course-kernels";

type FusedConv2DArgs = Parameters<typeof tf.fused.conv2d>[0];
type FusedConv2D = typeof tf.fused.conv2d;

/** tfjs' `fused` namespace is a plain object that tfjs-layers looks up at each call: replacing its conv2d reaches them. */
const fusedOps = tf.fused as unknown as { conv2d: FusedConv2D };
const tfjsFusedConv2d: FusedConv2D = fusedOps.conv2d;

function recordingGradients(): boolean {
  return (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;
}

function dilationsAreOne(dilations: FusedConv2DArgs["dilations"]): boolean {
  if (dilations === undefined) return true;
  return typeof dilations === "number" ? dilations === 1 : dilations.every((rate) => rate === 1);
}

/** Why this call keeps tfjs' own path, or null when the training fusion takes it. */
export function trainingFusionMismatch(args: FusedConv2DArgs): string | null {
  const activation = args.activation ?? "linear";
  if (activation !== "relu") return activation === "linear" ? "linear: tfjs fuses it already" : `activation ${activation}`;
  if (!(args.x instanceof tf.Tensor) || args.x.rank !== 4) return "input not a rank-4 tensor";
  if (!(args.filter instanceof tf.Tensor)) return "filter not a tensor";
  if (!(args.bias instanceof tf.Tensor) || args.bias.rank !== 1 || args.bias.shape[0] !== args.filter.shape[3]) return "no bias per output channel";
  if ((args.dataFormat ?? "NHWC") !== "NHWC") return `data format ${args.dataFormat}`;
  if (!dilationsAreOne(args.dilations)) return "dilated";
  if (args.preluActivationWeights !== undefined || args.leakyreluAlpha !== undefined) return "prelu/leaky relu weights";
  if (args.x.dtype !== "float32" || args.filter.dtype !== "float32" || args.bias.dtype !== "float32") return "not float32";
  return null;
}

interface ConvAttributes {
  strides: [number, number] | number;
  pad: FusedConv2DArgs["pad"];
  dataFormat: "NHWC";
  dilations: [number, number];
  dimRoundingMode?: "floor" | "round" | "ceil";
  activation: "relu";
}

/** Data of the relu outputs the training fusion made (a max pool over one may fuse its gradient with the relu's). */
const reluOutputs = new WeakSet<object>();
/** Gradients a max pool already took through the relu of `reluOutput`, with that layer's bias gradient. */
const throughRelu = new WeakMap<object, { reluOutput: object; biasGradient: tf.Tensor }>();

/** [relu'(z) · dy, the bias gradient]: the course's one-pass kernel where the backend has it, else tfjs' ops. */
function reluAndBiasGradients(dy: tf.Tensor, output: tf.Tensor): [tf.Tensor, tf.Tensor] {
  if (tf.getKernel(RELU_BIAS_GRADIENT_KERNEL, tf.getBackend()) === undefined) {
    const gradient = tf.mul(dy, tf.step(output));
    return [gradient, tf.sum(gradient, [0, 1, 2])];
  }
  return tf.engine().runKernel(RELU_BIAS_GRADIENT_KERNEL, { dy, y: output }, {}) as unknown as [tf.Tensor, tf.Tensor];
}

/**
 * FusedConv2D's gradient, which tfjs does not register (its fused op wraps the kernel in a customGrad). Registered,
 * the tape asks only for the gradients it needs: a first layer's input gradient is never computed.
 */
const fusedConv2DGradient: tf.GradConfig = {
  kernelName: "FusedConv2D",
  inputsToSave: ["x", "filter"],
  outputsToSave: [true],
  gradFunc: (dy, saved, attributes) => {
    const [input, kernel, output] = saved;
    const attrs = attributes as unknown as ConvAttributes;
    const conv = { strides: attrs.strides, pad: attrs.pad, dataFormat: "NHWC", dilations: [1, 1], dimRoundingMode: attrs.dimRoundingMode };
    const kernelAttrs = (extra: Record<string, unknown>) => ({ ...conv, ...extra }) as unknown as tf.NamedAttrMap;
    const engine = tf.engine();
    // relu'(z) is 1 where the output is positive: the mask tfjs' own fused gradient takes from y. Made here, once,
    // outside the tidy each input's gradient runs in (the tape asks for this node only when some input needs one).
    // The bias gradient comes with it, summed in the same pass where the addon runs it — or the max pool after this
    // layer did both already.
    const done = throughRelu.get((dy as tf.Tensor).dataId);
    const [dyRelu, biasGradient] =
      done !== undefined && done.reluOutput === output.dataId
        ? [dy as tf.Tensor, done.biasGradient]
        : attrs.activation === "relu"
          ? reluAndBiasGradients(dy as tf.Tensor, output)
          : [dy as tf.Tensor, tf.sum(dy as tf.Tensor, [0, 1, 2])];
    return {
      x: () => engine.runKernel("Conv2DBackpropInput", { dy: dyRelu, filter: kernel }, kernelAttrs({ inputShape: input.shape })) as tf.Tensor,
      filter: () => engine.runKernel("Conv2DBackpropFilter", { x: input, dy: dyRelu }, kernelAttrs({ filterShape: kernel.shape })) as tf.Tensor,
      bias: () => biasGradient,
    };
  },
};

function fusedReluConv2d(args: FusedConv2DArgs): tf.Tensor4D {
  const attrs: ConvAttributes = {
    strides: args.strides, pad: args.pad, dataFormat: "NHWC", dilations: [1, 1], dimRoundingMode: args.dimRoundingMode, activation: "relu",
  };
  const inputs = { x: args.x as tf.Tensor, filter: args.filter as tf.Tensor, bias: args.bias as tf.Tensor };
  const output = tf.engine().runKernel("FusedConv2D", inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  reluOutputs.add(output.dataId);
  return output;
}

/** tfjs' own MaxPool gradient (captured when the fusion is first switched on). */
let tfjsMaxPoolGradient: tf.GradConfig | undefined;

/**
 * MaxPool's gradient: over a relu output of the training fusion, where the backend has the course's kernel, the
 * gradient through the pool and the relu at once, with the layer's bias gradient (handed to the layer's gradient
 * through `throughRelu`); anywhere else, tfjs' own. The relu mask makes the pool's input gradient differ from tfjs'
 * only where the relu's own gradient zeroes it anyway; MaxPool has no other input to differentiate.
 */
const maxPoolGradient: tf.GradConfig = {
  kernelName: "MaxPool",
  inputsToSave: ["x"],
  outputsToSave: [true],
  gradFunc: (dy, saved, attributes) => {
    const [input, output] = saved;
    if (!reluOutputs.has(input.dataId) || tf.getKernel(MAX_POOL_RELU_BIAS_GRADIENT_KERNEL, tf.getBackend()) === undefined) {
      return tfjsMaxPoolGradient!.gradFunc(dy, saved, attributes);
    }
    const [gradient, biasGradient] = tf.engine().runKernel(
      MAX_POOL_RELU_BIAS_GRADIENT_KERNEL, { dy: dy as tf.Tensor, input, output }, attributes,
    ) as unknown as [tf.Tensor, tf.Tensor];
    throughRelu.set(gradient.dataId, { reluOutput: input.dataId, biasGradient });
    return { x: () => gradient };
  },
};

function trainingAwareConv2d(args: FusedConv2DArgs): tf.Tensor4D {
  if (!recordingGradients() || trainingFusionMismatch(args) !== null) return tfjsFusedConv2d(args) as tf.Tensor4D;
  return fusedReluConv2d(args);
}

/** Route `tf.fused.conv2d` (what tfjs' Conv2D layers call) through the training fusion, or back to tfjs' own. */
export function setTrainingFusion(on: boolean): void {
  if (on && tf.getGradient("FusedConv2D") === undefined) tf.registerGradient(fusedConv2DGradient);
  // A tfjs that registers its own FusedConv2D gradient (not 4.22) would differentiate our calls its way: stay out.
  if (on && tf.getGradient("FusedConv2D") !== fusedConv2DGradient) return;
  fusedOps.conv2d = (on ? trainingAwareConv2d : tfjsFusedConv2d) as FusedConv2D;
  const current = tf.getGradient("MaxPool");
  if (current !== maxPoolGradient) tfjsMaxPoolGradient = current;
  if (tfjsMaxPoolGradient !== undefined) tf.registerGradient(on ? maxPoolGradient : tfjsMaxPoolGradient);
}

export function trainingFusionActive(): boolean {
  return fusedOps.conv2d !== tfjsFusedConv2d;
}
