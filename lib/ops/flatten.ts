/**
 * Flattening: lay a stack of feature maps out as one long list of numbers, the input a fully connected layer takes.
 * The order is row-major over [row][col][channel], as tfjs/Keras' Flatten does for channels-last data: pixel (0,0)
 * of every map first, then pixel (0,1), and so on.
 */
import { checkMatrix, checkVolume, type Matrix, type Volume } from "./arrays";

/** Put same-sized maps on top of each other as the channels of one [row][col][channel] volume. */
export function stackChannels(maps: Matrix[]): Volume {
  if (maps.length === 0) throw new Error("stackChannels: no maps");
  const [rows, cols] = checkMatrix(maps[0], "map 0");
  maps.forEach((map, k) => {
    const [r, c] = checkMatrix(map, `map ${k}`);
    if (r !== rows || c !== cols) throw new Error(`map ${k} is ${r}×${c}, map 0 is ${rows}×${cols}`);
  });
  return maps[0].map((row, r) => row.map((_, c) => maps.map((map) => map[r][c])));
}

/** A [row][col][channel] volume as one vector, in tfjs's Flatten order. */
export function flatten(volume: Volume): number[] {
  checkVolume(volume, "volume");
  return volume.flat(2);
}
