/** The GenLab core: model families, losses, data and the training loop, free of vscode and the DOM. */
export * from './rng';
export * from './data/idx';
export * from './data/dataset';
export * from './data/deviceData';
export * from './losses';
export * from './family';
export * from './views';
export * from './loop';
export * from './families/vae';
