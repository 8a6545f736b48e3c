/**
 * Where the course's IDX datasets come from and what their bytes must hash to. The SHA-256 values are the ones
 * torchvision and TFDS publish for the canonical files (also in /work/shared/data/<dataset>/SHA256SUMS).
 */

export type IdxDatasetName = "mnist" | "fashion-mnist";

export interface RemoteFile {
  /** The file name, the same at the download site, in the cache and in a mirror. */
  name: string;
  sha256: string;
  /** Size in bytes, for the progress display before the server says. */
  bytes: number;
}

export interface RemoteDataset {
  /** Folder name in the cache and the mirror. */
  folder: IdxDatasetName;
  /** The download site; a file's URL is baseUrl + name. */
  baseUrl: string;
  files: {
    trainImages: RemoteFile;
    trainLabels: RemoteFile;
    testImages: RemoteFile;
    testLabels: RemoteFile;
  };
}

export const MNIST_BASE_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/";
export const FASHION_MNIST_BASE_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

export const MNIST: RemoteDataset = {
  folder: "mnist",
  baseUrl: MNIST_BASE_URL,
  files: {
    trainImages: {
      name: "train-images-idx3-ubyte.gz",
      sha256: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
      bytes: 9912422,
    },
    trainLabels: {
      name: "train-labels-idx1-ubyte.gz",
      sha256: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
      bytes: 28881,
    },
    testImages: {
      name: "t10k-images-idx3-ubyte.gz",
      sha256: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
      bytes: 1648877,
    },
    testLabels: {
      name: "t10k-labels-idx1-ubyte.gz",
      sha256: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
      bytes: 4542,
    },
  },
};

export const FASHION_MNIST: RemoteDataset = {
  folder: "fashion-mnist",
  baseUrl: FASHION_MNIST_BASE_URL,
  files: {
    trainImages: {
      name: "train-images-idx3-ubyte.gz",
      sha256: "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
      bytes: 26421880,
    },
    trainLabels: {
      name: "train-labels-idx1-ubyte.gz",
      sha256: "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
      bytes: 29515,
    },
    testImages: {
      name: "t10k-images-idx3-ubyte.gz",
      sha256: "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
      bytes: 4422102,
    },
    testLabels: {
      name: "t10k-labels-idx1-ubyte.gz",
      sha256: "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
      bytes: 5148,
    },
  },
};

export const IDX_DATASETS: Record<IdxDatasetName, RemoteDataset> = { mnist: MNIST, "fashion-mnist": FASHION_MNIST };
