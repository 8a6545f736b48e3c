/**
 * cnn-notebooks: the helpers the course's notebooks import. Everything a notebook needs comes from here.
 */
import * as tf from "@tensorflow/tfjs";

export { tf };
export { courseEnv, byProfile, readEnvironment } from "./env";
export type { CourseEnvironment, Profile } from "./env";
export { setupBackend, currentBackend, parseBackendName } from "./backend";
export type { BackendReport, BackendName, BackendPath } from "./backend";
