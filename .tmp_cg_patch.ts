import * as tf from '@tensorflow/tfjs-core';
/** Exploration only: wasm matMul with transpose flags → explicit transpose. */
export function patchMatMul() {
  for (const name of ['BatchMatMul', '_FusedMatMul']) {
    const k = tf.getKernel(name, 'wasm')!;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: (args) => {
      const attrs = args.attrs as any; const inputs = args.inputs as any; const backend = args.backend as any;
      if (!attrs.transposeA && !attrs.transposeB) return k.kernelFunc(args);
      const tr = tf.getKernel('Transpose', 'wasm')!;
      const disposeList: any[] = [];
      const T = (x: any) => { const r = x.shape.length; const perm = [...Array(r).keys()]; [perm[r-1], perm[r-2]] = [perm[r-2], perm[r-1]]; const o = tr.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as any; disposeList.push(o); return o; };
      const a = attrs.transposeA ? T(inputs.a) : inputs.a, b = attrs.transposeB ? T(inputs.b) : inputs.b;
      const out = k.kernelFunc({ inputs: { ...inputs, a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
      disposeList.forEach((o) => backend.disposeData(o.dataId));
      return out;
    } });
  }
}
