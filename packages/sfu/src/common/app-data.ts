/** Arbitrary application data attached to engine objects (mediasoup's `AppData`). */
export type AppData = Record<string, unknown>;
