/**
 * Save and load a Keras-style model as `model.json` + `weights.bin` in a folder, the layout `tf.loadLayersModel`
 * reads over HTTP. tfjs-node's `file://` handler is not available on the wasm and cpu backends, so this is a small
 * `tf.io` handler of our own; the files load back on every backend.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";

export const MODEL_JSON_FILE = "model.json";
export const WEIGHTS_FILE = "weights.bin";

/** All weight buffers as one ArrayBuffer (tfjs may hand over a list of shards). */
export function joinWeightData(data: tf.io.WeightData): ArrayBuffer {
  return tf.io.CompositeArrayBuffer.join(data);
}

function toArrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** A `tf.io` handler that saves to and loads from `dir`. */
export function fileSystemHandler(dir: string): tf.io.IOHandler {
  const modelFile = path.join(dir, MODEL_JSON_FILE);
  const weightsFile = path.join(dir, WEIGHTS_FILE);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error(`saveModel(${dir}): binary model topologies are not supported, only Keras JSON`);
      }
      fs.mkdirSync(dir, { recursive: true });
      const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : joinWeightData(artifacts.weightData);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      // Weights first, model.json last: a model.json on disk always points at complete weights.
      fs.writeFileSync(`${weightsFile}.tmp`, Buffer.from(weightData));
      fs.renameSync(`${weightsFile}.tmp`, weightsFile);
      fs.writeFileSync(`${modelFile}.tmp`, JSON.stringify(modelJson));
      fs.renameSync(`${modelFile}.tmp`, modelFile);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: "JSON",
          modelTopologyBytes: JSON.stringify(modelJson.modelTopology).length,
          weightSpecsBytes: JSON.stringify(modelJson.weightsManifest).length,
          weightDataBytes: weightData.byteLength,
        },
      };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      if (!fs.existsSync(modelFile)) throw new Error(`loadModel(${dir}): no ${MODEL_JSON_FILE} in that folder`);
      let modelJson: tf.io.ModelJSON;
      try {
        modelJson = JSON.parse(fs.readFileSync(modelFile, "utf8")) as tf.io.ModelJSON;
      } catch (error) {
        throw new Error(`loadModel(${dir}): ${modelFile} is not valid JSON (${(error as Error).message})`);
      }
      const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
      const buffers = modelJson.weightsManifest.flatMap((group) =>
        group.paths.map((p) => fs.readFileSync(path.join(dir, p))),
      );
      const weightData = toArrayBuffer(Buffer.concat(buffers));
      const expectedBytes = weightSpecs.reduce((sum, spec) => sum + weightBytes(spec), 0);
      if (weightData.byteLength !== expectedBytes) {
        throw new Error(
          `loadModel(${dir}): ${WEIGHTS_FILE} holds ${weightData.byteLength} bytes but model.json describes ${expectedBytes}; the files do not belong together or one is truncated`,
        );
      }
      return tf.io.getModelArtifactsForJSONSync(modelJson, weightSpecs, weightData);
    },
  };
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, float16: 2 };

/** Bytes one weight takes on disk (quantized weights store one or two bytes per value). */
function weightBytes(spec: tf.io.WeightsManifestEntry): number {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const quantized = spec.quantization?.dtype;
  const perValue = quantized !== undefined ? DTYPE_BYTES[quantized] : DTYPE_BYTES[spec.dtype];
  if (perValue === undefined) throw new Error(`unsupported weight dtype ${spec.dtype} for ${spec.name}`);
  return count * perValue;
}

/** Save a model (architecture + weights; the optimizer state too when `includeOptimizer`) into `dir`. */
export async function saveModel(model: tf.LayersModel, dir: string, options: { includeOptimizer?: boolean } = {}): Promise<tf.io.SaveResult> {
  return model.save(fileSystemHandler(dir), { includeOptimizer: options.includeOptimizer ?? false });
}

/** Load a model saved by `saveModel` (on any backend). */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(fileSystemHandler(dir));
}
