import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { RMSprop } from "../../lib/train/rmsprop";
import { availableWasmTrainingPaths, selectWasmTrainingPath } from "../../lib/backend/wasm-training";
import { RMSPROP_STEP_KERNEL } from "../../lib/backend/course-kernels";

/** One step of `optimizer` on w with a fixed gradient: minimising sum(g · w) has gradient g everywhere. */
function stepWith(optimizer: tf.Optimizer, weights: tf.Variable, gradient: number[]): void {
  optimizer.minimize(() => tf.sum(tf.mul(weights, tf.tensor1d(gradient))) as tf.Scalar, false, [weights]);
}

describe("RMSprop (Keras' update rule)", () => {
  before(async () => {
    await tf.setBackend("cpu");
  });

  it("takes the step worked by hand: w = 1, g = 1e-4, lr = 0.01 → ms = 1e-9, w = 1 − 0.01·1e-4/(√1e-9 + 1e-7) = 0.9684770", () => {
    // Hand arithmetic: √1e-9 = 3.16228e-5; + 1e-7 = 3.17228e-5; 1e-6 / 3.17228e-5 = 0.0315230; 1 − that = 0.9684770.
    const w = tf.variable(tf.tensor1d([1]));
    const optimizer = new RMSprop({ learningRate: 0.01 });
    stepWith(optimizer, w, [1e-4]);
    expect(w.dataSync()[0]).to.be.closeTo(0.968477, 2e-6);
    // TensorFlow.js' own rmsprop (ε inside the root) damps this step tenfold: it would give 0.996856.
    const theirs = tf.variable(tf.tensor1d([1]));
    stepWith(tf.train.rmsprop(0.01, 0.9, 0, 1e-7), theirs, [1e-4]);
    expect(theirs.dataSync()[0]).to.be.closeTo(1 - 1e-6 / Math.sqrt(1e-9 + 1e-7), 2e-6);
    tf.dispose([w, theirs]);
    optimizer.dispose();
  });

  it("follows the rule for three steps with changing gradients (plain, momentum, centered)", () => {
    const gradients = [[0.5, -2e-3], [0.1, 4e-3], [-0.3, -1e-5]];
    for (const options of [{}, { momentum: 0.9 }, { centered: true }, { rho: 0.5, epsilon: 1e-3 }]) {
      const settings = { learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false, ...options };
      const w = tf.variable(tf.tensor1d([0.2, -0.7]));
      const optimizer = new RMSprop(options);
      // The rule in float64, written out independently of the implementation.
      const expected = [0.2, -0.7];
      const ms = [0, 0], mg = [0, 0], velocity = [0, 0];
      for (const g of gradients) {
        stepWith(optimizer, w, g);
        for (let i = 0; i < 2; i++) {
          ms[i] = settings.rho * ms[i] + (1 - settings.rho) * g[i] ** 2;
          mg[i] = settings.rho * mg[i] + (1 - settings.rho) * g[i];
          const denominator = settings.centered ? ms[i] - mg[i] ** 2 : ms[i];
          const step = (settings.learningRate * g[i]) / (Math.sqrt(denominator) + settings.epsilon);
          velocity[i] = settings.momentum * velocity[i] + step;
          expected[i] -= settings.momentum > 0 ? velocity[i] : step;
        }
        const got = Array.from(w.dataSync());
        got.forEach((value, i) => expect(value, `${JSON.stringify(options)} w[${i}]`).to.be.closeTo(expected[i], 1e-6));
      }
      w.dispose();
      optimizer.dispose();
    }
  });

  it("on the wasm paths takes its two-pass kernels and gives the weights of the ops on cpu, to the bit", async () => {
    // 3 steps on 50,000 weights (enough for the addon to thread its loops) with gradients spanning magnitudes (and
    // exact zeros), from the same start.
    const size = 50_000;
    const start = Float32Array.from({ length: size }, (_, i) => Math.sin(i) * 0.3);
    const gradients = [1, 2, 3].map((step) => Float32Array.from({ length: size }, (_, i) => (i % 17 === 0 ? 0 : Math.cos(i * step) * 10 ** -((i % 7) + 1))));
    const train = async (options: ConstructorParameters<typeof RMSprop>[0]) => {
      const w = tf.variable(tf.tensor1d(start));
      const optimizer = new RMSprop(options);
      for (const g of gradients) optimizer.applyGradients([{ name: w.name, tensor: tf.tensor1d(g) }]);
      const values = Float32Array.from(await w.data());
      w.dispose();
      optimizer.dispose();
      return values;
    };
    const mismatches = (a: Float32Array, b: Float32Array) => a.reduce((count, value, i) => count + (Object.is(value, b[i]) ? 0 : 1), 0);
    for (const options of [{ learningRate: 1e-4 }, {}, { momentum: 0.5 }]) {
      await tf.setBackend("cpu");
      const reference = await train(options);
      for (const path of availableWasmTrainingPaths()) {
        await tf.setBackend("wasm");
        selectWasmTrainingPath(path);
        expect(tf.getKernel(RMSPROP_STEP_KERNEL, "wasm"), "the two-pass kernels are registered").to.not.equal(undefined);
        expect(mismatches(reference, await train(options)), `${path} ${JSON.stringify(options)}: weights differing from cpu`).to.equal(0);
      }
    }
    await tf.setBackend("cpu");
  });

  it("has Keras' defaults and reports them as its config", () => {
    const optimizer = new RMSprop();
    expect(optimizer.getConfig()).to.deep.equal({ learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false });
    expect(new RMSprop({ learningRate: 1e-4 }).getConfig().learningRate).to.equal(1e-4);
    expect(() => new RMSprop({ learningRate: 0 })).to.throw(/learningRate/);
    expect(() => new RMSprop({ rho: 1 })).to.throw(/rho/);
  });

  it("saves and restores its state by position, so a rebuilt model resumes exactly, without leaking tensors", async () => {
    const start = [0.3, -0.1, 0.8];
    const gradient = [0.2, -0.05, 1e-4];
    const straightW = tf.variable(tf.tensor1d(start));
    const straight = new RMSprop({ momentum: 0.5 });
    for (let i = 0; i < 4; i++) stepWith(straight, straightW, gradient);

    const firstW = tf.variable(tf.tensor1d(start));
    const first = new RMSprop({ momentum: 0.5 });
    for (let i = 0; i < 2; i++) stepWith(first, firstW, gradient);
    const saved = await first.getWeights();
    expect(saved.map((entry) => entry.name)).to.deep.equal(["iter", "0/rms", "0/momentum"]);

    const resumedW = tf.variable(firstW.clone());
    const resumed = new RMSprop({ momentum: 0.5 });
    await resumed.setWeights(saved.map(({ name, tensor }) => ({ name, tensor: tensor.clone() })));
    const before = tf.memory().numTensors;
    for (let round = 0; round < 5; round++) {
      const weights = await first.getWeights();
      const copies = weights.map(({ name, tensor }) => ({ name, tensor: tensor.clone() }));
      await resumed.setWeights(copies);
      // As restoreCheckpoint does: the decoded tensors go once they are loaded; getWeights' iteration scalar is new.
      tf.dispose(copies.map((entry) => entry.tensor));
      weights[0].tensor.dispose();
    }
    expect(tf.memory().numTensors - before, "tensors after five restores").to.equal(0);
    for (let i = 0; i < 2; i++) stepWith(resumed, resumedW, gradient);
    Array.from(resumedW.dataSync()).forEach((value, i) => expect(value).to.be.closeTo(straightW.dataSync()[i], 1e-7));
    expect(resumed.iterations).to.equal(4);
  });
});
