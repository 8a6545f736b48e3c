/**
 * RMSprop as Keras defines it (`keras.optimizers.RMSprop`), for `model.compile({ optimizer: new RMSprop(...) })`.
 *
 * Why not `tf.train.rmsprop`: TensorFlow.js divides by `sqrt(ms + ε)` (TensorFlow's raw ApplyRMSProp op), Keras by
 * `sqrt(ms) + ε`. With ε = 1e-7 inside the root, every weight whose RMS gradient is below ~3e-4 takes damped steps;
 * the book's cats-vs-dogs network then learns several times more slowly than the book's logged run.
 *
 * Keras' update, per variable w with gradient g (defaults: learningRate 0.001, rho 0.9, momentum 0, ε 1e-7):
 *   ms ← rho·ms + (1 − rho)·g²                       (mean square, starts at 0)
 *   mg ← rho·mg + (1 − rho)·g ; denom = ms − mg²      (centered only; else denom = ms)
 *   step = learningRate · g / (sqrt(denom) + ε)
 *   w ← w − step, or with momentum: m ← momentum·m + step ; w ← w − m
 */
import * as tf from "@tensorflow/tfjs";
import { RMSPROP_MEAN_SQUARE_KERNEL, RMSPROP_STEP_KERNEL } from "../backend/course-kernels";

/** tfjs-core's `NamedTensor` (not re-exported by the tfjs union package). */
type NamedTensor = { name: string; tensor: tf.Tensor };

export interface RMSpropOptions {
  /** Keras' `learning_rate` (default 0.001). */
  learningRate?: number;
  /** Decay of the moving mean square (Keras' `rho`, default 0.9). */
  rho?: number;
  /** Keras' `momentum` (default 0). */
  momentum?: number;
  /** Added to the root of the mean square, outside it (Keras' `epsilon`, default 1e-7). */
  epsilon?: number;
  /** Divide by the variance estimate instead of the raw mean square (Keras' `centered`, default false). */
  centered?: boolean;
}

/** The resolved settings: what `getConfig()` returns and what a run's identity records. */
export type RMSpropConfig = Required<RMSpropOptions>;

export const KERAS_RMSPROP_DEFAULTS: RMSpropConfig = { learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false };

interface Slots {
  meanSquare: tf.Variable;
  momentum: tf.Variable | null;
  meanGradient: tf.Variable | null;
}

type SlotKind = keyof Slots;
// Keras' slot names; checkpoints hold every mean square, then every momentum, then every mean gradient.
const SLOT_SUFFIX: Record<SlotKind, string> = { meanSquare: "rms", momentum: "momentum", meanGradient: "mg" };

export class RMSprop extends tf.Optimizer {
  static className = "KerasRMSprop";
  readonly config: RMSpropConfig;
  /**
   * Slots by the variable's position in the gradient list, as tfjs' own optimizers keep them: a rebuilt model has
   * new variable names, and a checkpoint restored into it must still find its state.
   */
  private slots: Slots[] = [];

  constructor(options: RMSpropOptions = {}) {
    super();
    this.config = { ...KERAS_RMSPROP_DEFAULTS, ...definedOnly(options) };
    const { learningRate, rho, momentum, epsilon } = this.config;
    if (!(learningRate > 0)) throw new Error(`RMSprop: learningRate must be > 0, not ${learningRate}`);
    if (!(rho >= 0 && rho < 1)) throw new Error(`RMSprop: rho must be in [0, 1), not ${rho}`);
    if (!(momentum >= 0 && momentum < 1)) throw new Error(`RMSprop: momentum must be in [0, 1), not ${momentum}`);
    if (!(epsilon >= 0)) throw new Error(`RMSprop: epsilon must be ≥ 0, not ${epsilon}`);
  }

  /** The slot kinds this configuration keeps, in checkpoint order. */
  private kinds(): SlotKind[] {
    return ["meanSquare", ...(this.config.momentum > 0 ? ["momentum" as const] : []), ...(this.config.centered ? ["meanGradient" as const] : [])];
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const named: NamedTensor[] = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    const { learningRate, rho, momentum, epsilon, centered } = this.config;
    const backend = tf.getBackend();
    const twoPasses = momentum === 0 && !centered &&
      tf.getKernel(RMSPROP_MEAN_SQUARE_KERNEL, backend) !== undefined && tf.getKernel(RMSPROP_STEP_KERNEL, backend) !== undefined;
    named.forEach(({ name, tensor: gradient }, position) => {
      if (gradient == null) return;
      const variable = tf.engine().registeredVariables[name];
      const slots = this.slotsAt(position, variable);
      tf.tidy(() => {
        if (twoPasses) {
          // The same float32 operations as below, in two kernels (the backend's kernel table has them).
          const engine = tf.engine();
          const meanSquare = engine.runKernel(RMSPROP_MEAN_SQUARE_KERNEL, { meanSquare: slots.meanSquare, gradient }, { rho, oneMinusRho: 1 - rho }) as tf.Tensor;
          slots.meanSquare.assign(meanSquare);
          variable.assign(engine.runKernel(RMSPROP_STEP_KERNEL, { variable, gradient, meanSquare }, { learningRate, epsilon }) as tf.Tensor);
          return;
        }
        const meanSquare = slots.meanSquare.mul(rho).add(gradient.square().mul(1 - rho));
        slots.meanSquare.assign(meanSquare);
        let denominator: tf.Tensor = meanSquare;
        if (slots.meanGradient !== null) {
          const meanGradient = slots.meanGradient.mul(rho).add(gradient.mul(1 - rho));
          slots.meanGradient.assign(meanGradient);
          denominator = meanSquare.sub(meanGradient.square());
        }
        const step = gradient.mul(learningRate).div(denominator.sqrt().add(epsilon));
        if (slots.momentum !== null) {
          const velocity = slots.momentum.mul(momentum).add(step);
          slots.momentum.assign(velocity);
          variable.assign(variable.sub(velocity));
        } else {
          variable.assign(variable.sub(step));
        }
      });
    });
    this.incrementIterations();
  }

  private slotsAt(position: number, variable: tf.Variable): Slots {
    let slots = this.slots[position];
    if (slots === undefined) {
      const zeros = () => tf.tidy(() => tf.zerosLike(variable).variable(false));
      const kinds = this.kinds();
      slots = {
        meanSquare: zeros(),
        momentum: kinds.includes("momentum") ? zeros() : null,
        meanGradient: kinds.includes("meanGradient") ? zeros() : null,
      };
      this.slots[position] = slots;
    }
    return slots;
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const named: NamedTensor[] = [];
    for (const kind of this.kinds()) {
      this.slots.forEach((slots, position) => {
        named.push({ name: `${position}/${SLOT_SUFFIX[kind]}`, tensor: slots[kind] as tf.Variable });
      });
    }
    return [await this.saveIterations(), ...named];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const values = await this.extractIterations(weightValues);
    const kinds = this.kinds();
    if (values.length % kinds.length !== 0) {
      throw new Error(`RMSprop.setWeights: ${values.length} slot tensors cannot hold ${kinds.join(" + ")} for every variable`);
    }
    // Replacing the state frees the old slots: resuming into the same optimizer must not leak them.
    this.disposeSlots();
    const count = values.length / kinds.length;
    const variableOf = (kind: SlotKind, position: number) =>
      kinds.includes(kind) ? values[kinds.indexOf(kind) * count + position].tensor.variable(false) : null;
    this.slots = Array.from({ length: count }, (_, position) => ({
      meanSquare: variableOf("meanSquare", position) as tf.Variable,
      momentum: variableOf("momentum", position),
      meanGradient: variableOf("meanGradient", position),
    }));
  }

  private disposeSlots(): void {
    for (const slots of this.slots) {
      for (const variable of [slots.meanSquare, slots.momentum, slots.meanGradient]) variable?.dispose();
    }
    this.slots = [];
  }

  override dispose(): void {
    this.disposeSlots();
    super.dispose();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.config };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config as RMSpropOptions);
  }
}
tf.serialization.registerClass(RMSprop);

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
