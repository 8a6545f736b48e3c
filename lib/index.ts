/**
 * cnn-notebooks: the helpers the course's notebooks import. Everything a notebook needs comes from here.
 */
import * as tf from "@tensorflow/tfjs";

export { tf };
export { courseEnv, byProfile, readEnvironment } from "./env";
export type { CourseEnvironment, Profile } from "./env";
export { runDoctor, formatDoctorReport } from "./env/doctor";
export type { DoctorCheck, CheckStatus } from "./env/doctor";
export { setupBackend, currentBackend, parseBackendName } from "./backend";
export type { BackendReport, BackendName, BackendPath } from "./backend";
export { buildMnistConvnet, MNIST_IMAGE_SHAPE, MNIST_CLASS_COUNT } from "./models/mnist-convnet";
export { buildCatsDogsConvnet, CATS_DOGS_IMAGE_SHAPE } from "./models/cats-dogs-convnet";
export type { CatsDogsConvnetOptions } from "./models/cats-dogs-convnet";
