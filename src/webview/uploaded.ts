/** The panel's data on the backend: uploaded once, and again only when a model needs other windows of text. */
import { uploadSplit, type DeviceData } from '../core/data/deviceData';
import type { DataSet } from '../core/data/dataset';
import type { ModelSpec } from '../core/modelfile/types';

/** The training and held-out sets on the backend. */
export class UploadedData {
  /** The training set on the backend, once uploaded. */
  train: DeviceData | undefined;
  /** The held-out set on the backend, once uploaded. */
  heldout: DeviceData | undefined;

  /** Keeps the sets to upload. */
  constructor(private readonly data: { train: DataSet; heldout: DataSet }) {}

  /** Bytes the data takes on the backend. */
  get bytes(): number {
    return (this.train?.bytes ?? 0) + (this.heldout?.bytes ?? 0);
  }

  /**
   * The sets for `spec`: images and points as they are, text cut into windows of the model's
   * context (uploaded again only when the context changes).
   */
  forSpec(spec: ModelSpec): { train: DeviceData; heldout: DeviceData } {
    const window = this.data.train.kind === 'text' ? spec.transformer.context : 0;
    if (!this.train || !this.heldout || this.train.window !== window) {
      this.dispose();
      this.train = uploadSplit(this.data.train, 'train', window);
      this.heldout = uploadSplit(this.data.heldout, 'heldout', window);
    }
    return { train: this.train, heldout: this.heldout };
  }

  /** Forgets the uploaded sets without freeing them (their context was lost). */
  forget(): void {
    this.train = undefined;
    this.heldout = undefined;
  }

  /** Frees the uploaded sets. */
  dispose(): void {
    this.train?.dispose();
    this.heldout?.dispose();
    this.forget();
  }
}
